/**
 * The subscriber pay page's screens: account number, what is due and the phone, waiting for the
 * PIN, paid. The portal's shell and styles (layout.ts), nothing more: a page is a few kilobytes.
 */
import { formatDueDate, type SubscriberForPaying } from '../subscribers/index.ts';
import { formatKesShort } from './format.ts';
import { type Html, html } from './html.ts';
import { payDict } from './i18n/pay.ts';
import { carry, link, type PageCtx, page } from './layout.ts';
import { FAILURE_TEXT, type FailureKind, followPurchase } from './pages.ts';

export type PayError = 'phone' | 'busy' | 'account';

const message = (text: string | null | undefined) =>
  text ? html`<p class="msg" role="alert">${text}</p>` : '';

/** "Wanjiku Kamau" → "Wa***** Ka***": enough for the payer to know it is them, not a directory. */
export const maskName = (name: string): string =>
  name
    .trim()
    .split(/\s+/)
    .map((w) => (w.length <= 2 ? w : `${w.slice(0, 2)}${'*'.repeat(w.length - 2)}`))
    .join(' ');

export function accountPage(ctx: PageCtx, o: { account?: string; error?: PayError }): Html {
  const p = payDict(ctx.lang);
  const body = html`<form class="card" method="get" action="/pay"><h1>${p.title}</h1>
${message(o.error === 'account' ? p.noAccount : null)}
<label for="account">${p.accountLabel}</label>
<input type="text" id="account" name="account" value="${o.account ?? ''}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" required aria-describedby="account-hint">
<span class="sub" id="account-hint">${p.accountHint}</span>
${carry(ctx)}<button type="submit">${p.find}</button></form>`;
  return page(ctx, { title: p.title, body });
}

export function duePage(
  ctx: PageCtx,
  o: {
    s: SubscriberForPaying;
    amountKes: number;
    phone: string | null;
    paybill: string | null;
    error?: PayError;
  },
): Html {
  const p = payDict(ctx.lang);
  const { s } = o;
  const errorText = o.error === 'phone' ? p.errPhone : o.error === 'busy' ? p.errBusy : null;
  const phoneField = o.phone
    ? html`<label class="plan"><input type="radio" name="who" value="own" checked><span>${p.ownPhone(o.phone)}</span></label>
<label class="plan"><input type="radio" name="who" value="other"><span>${p.otherPhone}</span></label>
<input type="tel" id="phone" name="phone" autocomplete="tel" inputmode="tel" placeholder="0712 345 678" aria-label="${p.otherPhone}">`
    : html`<label for="phone">${p.otherPhone}</label>
<input type="tel" id="phone" name="phone" autocomplete="tel" inputmode="tel" placeholder="0712 345 678" required>`;
  const body = html`<form class="card" method="post" action="/pay"><h1>${p.title}</h1>
${s.state === 'expired' ? html`<p class="msg">${p.expired}</p>` : ''}
<dl><dt>${p.accountLabel}</dt><dd class="mono">${s.accountNo}</dd>
${s.name ? html`<dt>${p.name}</dt><dd>${maskName(s.name)}</dd>` : ''}
<dt>${p.plan}</dt><dd>${s.plan.name}</dd>
<dt>${p.due}</dt><dd>${formatDueDate(s.dueAt, ctx.lang)}</dd>
${s.balanceKes > 0 ? html`<dt>${p.balance}</dt><dd>${formatKesShort(s.balanceKes)}</dd>` : ''}
<dt>${p.amountDue}</dt><dd>${formatKesShort(o.amountKes)}</dd></dl>
${message(errorText)}
<fieldset>${phoneField}</fieldset>
<input type="hidden" name="account" value="${s.accountNo}">${carry(ctx)}
<button type="submit">${p.payNow(formatKesShort(o.amountKes))}</button></form>
${o.paybill ? html`<div class="card"><p>${p.orPaybill(o.paybill, s.accountNo)}</p></div>` : ''}`;
  return page(ctx, { title: p.title, body });
}

export function payWaitPage(ctx: PageCtx, o: { purchaseId: string; amountKes: number; phone: string }): Html {
  const { t } = ctx;
  const self = link(ctx, `/pay/wait/${o.purchaseId}`);
  const body = html`<div class="card"><div class="row"><div class="spin"></div><h1>${t.checkPhone}</h1></div>
<p>${t.sentTo(formatKesShort(o.amountKes), o.phone)}</p>
<ol><li>${t.step1}</li><li>${t.step2}</li></ol>
<p role="status">${t.waitingNote}</p><a class="btn alt" href="${self}">${t.refresh}</a></div>`;
  return page(ctx, {
    title: t.checkPhone,
    body,
    refreshSeconds: 3,
    script: followPurchase(o.purchaseId, self),
  });
}

export function payPaidPage(ctx: PageCtx, o: { s: SubscriberForPaying; amountKes: number }): Html {
  const p = payDict(ctx.lang);
  const body = html`<div class="card"><h1>${p.paid}</h1>
<p class="msg good" role="status">${p.paidText(formatDueDate(o.s.dueAt, ctx.lang))}</p>
<dl><dt>${p.accountLabel}</dt><dd class="mono">${o.s.accountNo}</dd><dt>${p.plan}</dt><dd>${o.s.plan.name}</dd></dl>
${o.s.balanceKes > 0 ? html`<p>${p.paidBalance(formatKesShort(o.s.balanceKes))}</p>` : ''}
<p>${p.receiptSms}</p></div>`;
  return page(ctx, { title: p.paid, body });
}

export function payFailedPage(
  ctx: PageCtx,
  o: { accountNo: string; kind: FailureKind; reason: string | null },
): Html {
  const p = payDict(ctx.lang);
  const [title, textKey] = FAILURE_TEXT[o.kind];
  const heading = ctx.t[title] as string;
  const text = o.kind === 'other' && o.reason ? o.reason : (ctx.t[textKey] as string);
  const body = html`<div class="card"><h1>${heading}</h1><p class="msg">${text}</p>
<a class="btn" href="${link(ctx, '/pay', [['account', o.accountNo]])}">${p.tryAgain}</a></div>`;
  return page(ctx, { title: heading, body });
}
