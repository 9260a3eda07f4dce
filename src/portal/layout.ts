/**
 * The page shell every portal page shares: one small inline stylesheet (no fonts, no files, no
 * other hosts: the walled garden would block them and each costs a round trip on a slow link),
 * the operator's name and colour, the language switch and the support number.
 */
import type { Branding } from '../branding/index.ts';
import { type Hotspot, hotspotPairs } from './hotspot.ts';
import { type Html, html, raw } from './html.ts';
import { type Dict, LANGS, type Lang, dict } from './i18n/index.ts';

export interface PageCtx {
  t: Dict;
  lang: Lang;
  brand: Branding;
  hs: Hotspot;
  /** Per-response nonce for the inline scripts (the CSP allows nothing else). */
  nonce: string;
  /** This page's path and its own query parameters (besides hotspot and lang), for the language links. */
  self: { path: string; params?: [string, string][] };
}

/** A portal URL carrying the hotspot variables and the language on to the next page. */
export function link(ctx: PageCtx, path: string, params: [string, string][] = [], lang = ctx.lang): string {
  const q = new URLSearchParams([...params, ...hotspotPairs(ctx.hs), ['lang', lang]]);
  return `${path}?${q.toString()}`;
}

/** The same state as hidden fields, for forms. */
export function carry(ctx: PageCtx): Html {
  return html`${hotspotPairs(ctx.hs).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<input type="hidden" name="lang" value="${ctx.lang}">`;
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f2f3f5}
header{background:var(--c);color:var(--t);padding:.55rem 1rem;display:flex;flex-wrap:wrap;gap:.3rem;justify-content:space-between;align-items:center}
header b{font-size:1.1rem}header a{color:inherit;margin-left:.6rem}header a[aria-current]{font-weight:700;text-decoration:none}
main{max-width:30rem;margin:0 auto;padding:.8rem}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 .8rem;box-shadow:0 1px 3px #0003}
h1,h2{font-size:1.2rem;margin:0 0 .5rem}fieldset{border:0;margin:0;padding:0}legend{font-weight:700;font-size:1.2rem;padding:0;margin-bottom:.3rem}legend h1{margin:0}
label{display:block;font-weight:600;margin:.7rem 0 .25rem}
input[type=tel],input[type=text],input[type=date],input[type=password]{width:100%;font-size:1.15rem;padding:.6rem;border:1px solid #6b6b6b;border-radius:.35rem;background:#fff;color:#1b1b1b}
.plan{display:flex;align-items:center;gap:.6rem;border:1px solid #b9b9b9;border-radius:.4rem;padding:.55rem .6rem;margin:.4rem 0;font-weight:400;cursor:pointer}
.plan:has(input:checked){border:2px solid var(--c)}.plan input{width:1.25rem;height:1.25rem;margin:0;flex:none}.plan span{flex:1}
.sub{display:block;color:#4d4d4d;font-size:.88rem}.price{font-weight:700;white-space:nowrap}
button,.btn{display:block;width:100%;background:var(--c);color:var(--t);border:0;border-radius:.4rem;padding:.75rem;font:inherit;font-weight:700;font-size:1.05rem;text-align:center;text-decoration:none;margin-top:.8rem;cursor:pointer}
.alt{background:#e6e7ea;color:#1b1b1b}button:disabled{background:#8a8a8a;color:#fff;cursor:not-allowed}
.msg{border-left:4px solid #b3261e;background:#fdecea;color:#6e0f0a;padding:.55rem .7rem;border-radius:.3rem;margin:.6rem 0}
.good{border-color:#1e7b34;background:#e7f5ea;color:#0f4d1f}
ol{padding-left:1.3rem;margin:.5rem 0}li{margin:.25rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem .8rem;margin:.6rem 0}dt{color:#4d4d4d}dd{margin:0;font-weight:700}
.big{font:700 1.5rem/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.06em;word-break:break-all}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}summary{cursor:pointer}
.row{display:flex;align-items:center;gap:.6rem}.row h1,.row h2{margin:0}
.spin{flex:none;width:1.8rem;height:1.8rem;border:4px solid #d5d5d5;border-top-color:var(--c);border-radius:50%;animation:r 1s linear infinite}
@keyframes r{to{transform:rotate(1turn)}}@media (prefers-reduced-motion:reduce){.spin{animation:none}}
.links{text-align:center;line-height:2.2}a{color:#0a4ea8}footer{text-align:center;color:#4d4d4d;font-size:.9rem;padding:0 1rem 1.5rem}footer a{color:inherit}`;

export function page(
  ctx: PageCtx,
  o: { title: string; body: Html; refreshSeconds?: number; refreshUrl?: string; script?: string },
): Html {
  const { t, brand } = ctx;
  const others = LANGS.map(
    (l) =>
      html`<a href="${link(ctx, ctx.self.path, ctx.self.params, l)}" lang="${l}" hreflang="${l}"${raw(l === ctx.lang ? ' aria-current="true"' : '')}>${dict(l).langName}</a>`,
  );
  // Without JavaScript the page refreshes itself; with it, the script below takes over (noscript).
  const refresh =
    o.refreshSeconds !== undefined
      ? html`<noscript><meta http-equiv="refresh" content="${`${o.refreshSeconds}${o.refreshUrl ? `;url=${o.refreshUrl}` : ''}`}"></noscript>`
      : '';
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light">${refresh}
<title>${o.title} · ${brand.name}</title><style>:root{--c:${brand.color};--t:${brand.onColor}}${raw(CSS)}</style></head>
<body><header><b>${brand.name}</b><nav aria-label="Language">${others}</nav></header>
<main>${o.body}</main>
${brand.supportPhone ? html`<footer>${t.help} <a href="tel:${brand.supportPhone.replace(/[^+0-9]/g, '')}">${brand.supportPhone}</a></footer>` : ''}
${o.script ? html`<script nonce="${ctx.nonce}">${raw(o.script)}</script>` : ''}</body></html>`;
}
