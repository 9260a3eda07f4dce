/** Checks on rendered portal HTML, shared by the budget test and the browser tests. */
export const BUDGET_BYTES = 14 * 1024;
const SELF = 'http://portal.test';

/** Every URL the page would load or send the browser to, with the attribute that holds it. */
export function references(page: string): { kind: string; url: string }[] {
  const out: { kind: string; url: string }[] = [];
  const decode = (s: string) =>
    s
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'");
  for (const m of page.matchAll(
    /\s(src|href|action|formaction|srcset|poster|data|background)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi,
  )) {
    out.push({ kind: m[1]!.toLowerCase(), url: decode(m[3] ?? m[4] ?? m[5] ?? '') });
  }
  for (const m of page.matchAll(/url\(\s*['"]?([^'")]*)/gi)) out.push({ kind: 'url()', url: m[1]! });
  for (const m of page.matchAll(/@import\s+['"]([^'"]+)/gi)) out.push({ kind: '@import', url: m[1]! });
  // A meta refresh target is a navigation too.
  for (const m of page.matchAll(/content="\d+;url=([^"]+)"/gi))
    out.push({ kind: 'refresh', url: decode(m[1]!) });
  return out;
}

/** References that leave our host, except the hotspot's own login URL and the page they came for. */
export function externalReferences(page: string, allowed: string[]): string[] {
  return references(page)
    .filter(({ url }) => {
      const u = new URL(url, `${SELF}/portal`);
      if (u.protocol === 'tel:') return false;
      if (u.origin === SELF) return false;
      return !allowed.includes(url);
    })
    .map(({ kind, url }) => `${kind}=${url}`);
}

/** Inputs a person fills in that no <label for> names. */
export function unlabelledInputs(page: string): string[] {
  const labels = new Set([...page.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((m) => m[1]));
  return [...page.matchAll(/<input\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="hidden"/.test(tag))
    .filter((tag) => {
      const id = /\sid="([^"]+)"/.exec(tag)?.[1];
      return !id || !labels.has(id);
    });
}
