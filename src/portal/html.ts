/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is already `Html`
 * (made by this tag or `raw`). Arrays are joined, null/undefined/false render nothing, so pages
 * read like markup and cannot inject by accident.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (our own constants only: CSS, the inline scripts). */
export const raw = (s: string): Html => new Html(s);

/** A value for inside a <script> string literal: JSON, with `<` escaped so `</script>` cannot close it. */
export const jsString = (s: string): Html => new Html(JSON.stringify(s).replace(/</g, '\\u003c'));
