/**
 * Every portal page as a plain function of plain data → HTML. No data access here: routes load
 * what a page needs and pass it in, so the size/reference test can render each page directly.
 */
import { formatCode } from '../access/index.ts';
import type { PublicPlan } from '../plans/index.ts';
import { formatBytes, formatDuration, formatEat, formatKesShort, formatLeft, formatSpeed } from './format.ts';
import { type Html, html, jsString, raw } from './html.ts';
import type { Dict } from './i18n/index.ts';
import { carry, link, type PageCtx, page } from './layout.ts';

/** The part of a plan the portal shows. */
export type PortalPlan = Pick<
  PublicPlan,
  'id' | 'name' | 'nameSw' | 'priceKes' | 'durationSeconds' | 'rateDownKbps' | 'devices' | 'dataCapBytes'
>;

/** Short error codes carried in `?e=` after a failed form (never free text: nothing to inject). */
export const FORM_ERRORS = {
  phone: 'errPhone',
  not_mpesa: 'errNotMpesa',
  plan: 'errPlan',
  busy: 'errBusy',
  paystart: 'errPayStart',
  wait: 'errWait',
  code: 'errCode',
  unknown: 'errUnknown',
  expired: 'errExpired',
  revoked: 'errRevoked',
  device_limit: 'errDeviceLimit',
  used_up: 'errUsedUp',
  not_valid_yet: 'errNotValidYet',
  password_needed: 'errPasswordNeeded',
  too_many: 'errTooMany',
  reconnect: 'errReconnect',
  receipt: 'errReceipt',
  receipt_unknown: 'errReceiptUnknown',
  receipt_used: 'errReceiptUsed',
  receipt_checking: 'errReceiptChecking',
  receipt_claimed: 'errReceiptClaimed',
  no_device: 'errNoDevice',
  amount: 'errAmount',
  day: 'errDay',
} as const satisfies Record<string, keyof Dict>;
export type FormError = keyof typeof FORM_ERRORS;
export const isFormError = (v: unknown): v is FormError => typeof v === 'string' && v in FORM_ERRORS;

const message = (t: Dict, e: FormError | undefined, waitSeconds?: number): Html | '' =>
  e
    ? html`<p class="msg" role="alert">${t[FORM_ERRORS[e]] as string}${e === 'wait' && waitSeconds ? ` ${t.tryIn(waitSeconds)}` : ''}</p>`
    : '';

const ICON_OK = raw(
  '<svg width="30" height="30" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#1e7b34"/><path d="M6.5 12.5l3.5 3.5 7.5-8" stroke="#fff" stroke-width="2.4" fill="none"/></svg>',
);
const ICON_FAIL = raw(
  '<svg width="30" height="30" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#b3261e"/><path d="M8 8l8 8M16 8l-8 8" stroke="#fff" stroke-width="2.4"/></svg>',
);

function planLine(t: Dict, p: PortalPlan): string {
  const parts = [formatDuration(t, p.durationSeconds)];
  if (p.rateDownKbps) parts.push(t.speed(formatSpeed(p.rateDownKbps)));
  if (p.dataCapBytes) parts.push(t.data(formatBytes(p.dataCapBytes)));
  parts.push(t.devices(p.devices));
  return parts.join(' · ');
}

/** The plan's name in the page's language (Kiswahili only when the operator gave one). */
const planName = (ctx: PageCtx, p: Pick<PortalPlan, 'name' | 'nameSw'>): string =>
  (ctx.lang === 'sw' && p.nameSw) || p.name;

export interface WelcomeBack {
  secondsLeft: number;
}

/** Landing page: packages with the phone field (one form, one tap), voucher box, recovery links. */
export function homePage(
  ctx: PageCtx,
  o: {
    plans: PortalPlan[];
    planId?: number;
    phone?: string;
    error?: FormError;
    waitSeconds?: number;
    welcome?: WelcomeBack;
    /** A scanned ticket's code, to fill in the voucher box. */
    code?: string;
  },
): Html {
  const { t } = ctx;
  const selected = o.planId ?? o.plans[0]?.id;
  const body = html`${ctx.hs.error ? html`<p class="msg" role="alert">${t.routerSaid} ${ctx.hs.error}</p>` : ''}
${o.error === 'reconnect' || o.error === 'too_many' ? message(t, o.error) : ''}
${
  o.welcome
    ? html`<form class="card" method="post" action="/portal/reconnect"><h2>${t.welcomeBack}</h2><p>${t.stillHave(formatLeft(t, o.welcome.secondsLeft))}</p>${carry(ctx)}<button>${t.reconnect}</button></form>`
    : ''
}
<form class="card" method="post" action="/portal/buy"><fieldset><legend><h1>${t.choosePlan}</h1></legend>
${o.plans.map(
  (p) =>
    html`<label class="plan" for="p${p.id}"><input type="radio" id="p${p.id}" name="plan" value="${p.id}" required${raw(p.id === selected ? ' checked' : '')}><span>${planName(ctx, p)}<span class="sub">${planLine(t, p)}</span></span><span class="price">${formatKesShort(p.priceKes)}</span></label>`,
)}</fieldset>
${o.error === 'plan' || o.error === 'phone' || o.error === 'not_mpesa' || o.error === 'busy' || o.error === 'paystart' || o.error === 'wait' ? message(t, o.error, o.waitSeconds) : ''}
<label for="phone">${t.phoneLabel}</label><input type="tel" id="phone" name="phone" inputmode="tel" autocomplete="tel" required maxlength="20" placeholder="${t.phoneHint}" value="${o.phone ?? ''}">
${carry(ctx)}<button>${t.pay}</button></form>
<form class="card" method="post" action="/portal/voucher"><h2>${t.haveVoucher}</h2>
<label for="code">${t.codeLabel}</label><input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="40"${o.code ? html` value="${o.code}"` : ''}>
${carry(ctx)}<button>${t.connect}</button></form>
<p class="links"><a href="${link(ctx, '/portal/recover')}">${t.alreadyPaid}</a></p>`;
  return page(ctx, { title: t.choosePlan, body });
}

/**
 * Voucher login on its own (the printed QR code opens this with ?code=). The password box shows
 * only for a voucher that has its own password (imported with one): after the code alone was
 * answered "password needed", or a password was tried.
 */
export function voucherPage(
  ctx: PageCtx,
  o: { code?: string; error?: FormError; askPassword?: boolean },
): Html {
  const { t } = ctx;
  const pw =
    o.askPassword || o.error === 'password_needed'
      ? html`<label for="password">${t.passwordLabel}</label><input type="password" id="password" name="password" autocomplete="off" required maxlength="64"${o.error === 'password_needed' ? raw(' autofocus') : ''}>`
      : '';
  const body = html`${ctx.hs.error ? html`<p class="msg" role="alert">${t.routerSaid} ${ctx.hs.error}</p>` : ''}<form class="card" method="post" action="/portal/voucher"><h1>${t.haveVoucher}</h1>${message(t, o.error)}
<label for="code">${t.codeLabel}</label><input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="40" value="${o.code ?? ''}">
${pw}${carry(ctx)}<button>${t.connect}</button></form>
<p class="links"><a href="${link(ctx, '/portal')}">${t.choosePlan}</a></p>`;
  return page(ctx, { title: t.codeLabel, body });
}

export interface PurchaseInfo {
  id: string;
  ref: string;
  planName: string;
  amountKes: number;
  /** Already masked (0712***678). */
  phone: string;
}

/** 95 → "1:35", for the countdowns. */
const clockText = (s: number): string => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

/** Counts #id down each second from `from` (m:ss), then runs `done` (a statement) once. */
const countdown = (id: string, from: number, mmss: boolean, done = '') =>
  `(function(){var n=${from},e=document.getElementById('${id}'),i=setInterval(function(){n--;if(n<=0){n=0;clearInterval(i);${done}}e.textContent=${mmss ? "Math.floor(n/60)+':'+('0'+n%60).slice(-2)" : 'n'}},1000)})();`;

/** Long-polls the purchase; any final state reloads `self`, which then shows the outcome. */
export const followPurchase = (purchaseId: string, self: string): string =>
  `(function p(){var x=new XMLHttpRequest();x.open('GET',${jsString(`/api/purchases/${purchaseId}?wait=25`)});x.timeout=35000;x.onload=function(){var s;try{s=JSON.parse(x.responseText).status}catch(e){}if(s&&s!=='pending')location.replace(${jsString(self)});else setTimeout(p,x.status===200?0:3000)};x.onerror=x.ontimeout=function(){setTimeout(p,3000)};x.send()})()`;

/**
 * Waiting for the PIN: what to do on the phone and how long the request has left; refreshes
 * itself (meta refresh, which also brings the time left up to date, or long-poll and a countdown).
 */
export function waitPage(ctx: PageCtx, o: { purchase: PurchaseInfo; secondsLeft: number }): Html {
  const { t } = ctx;
  const p = o.purchase;
  const left = Math.max(0, Math.floor(o.secondsLeft));
  const self = link(ctx, `/portal/wait/${p.id}`);
  const body = html`<div class="card"><div class="row"><div class="spin"></div><h1>${t.checkPhone}</h1></div>
<p>${t.sentTo(formatKesShort(p.amountKes), p.phone)} (${p.planName})</p>
<ol><li>${t.step1}</li><li>${t.step2}</li><li>${t.step3}</li></ol>
<p>${t.pinTimeLeft} <b id="left">${clockText(left)}</b></p>
<p role="status">${t.waitingNote}</p><a class="btn alt" href="${self}">${t.refresh}</a></div>
<div class="card"><h2>${t.noPrompt}</h2><a href="${link(ctx, `/portal/paybill/${p.id}`)}">${t.payByPaybill}</a></div>`;
  const script = `${countdown('left', left, true)}${followPurchase(p.id, self)}`;
  return page(ctx, { title: t.checkPhone, body, refreshSeconds: 3, script });
}

export type FailureKind = 'cancelled' | 'insufficient' | 'wrong_pin' | 'locked' | 'no_answer' | 'other';

/** Daraja result codes (reference/daraja.md) → what we tell the customer. */
export function failureKind(status: string, resultCode: string | null): FailureKind {
  if (resultCode === '1032' || (status === 'cancelled' && !resultCode)) return 'cancelled';
  if (resultCode === '1') return 'insufficient';
  if (resultCode === '2001') return 'wrong_pin';
  if (resultCode === '8006') return 'locked';
  if (resultCode === '1037' || resultCode === '1019' || status === 'expired') return 'no_answer';
  return 'other';
}

export const FAILURE_TEXT: Record<FailureKind, [keyof Dict, keyof Dict]> = {
  cancelled: ['failCancelled', 'failCancelledText'],
  insufficient: ['failInsufficient', 'failInsufficientText'],
  wrong_pin: ['failWrongPin', 'failWrongPinText'],
  locked: ['failLocked', 'failLockedText'],
  no_answer: ['failNoAnswer', 'failNoAnswerText'],
  other: ['failOther', 'failOtherText'],
};

/** A payment that did not go through: why, and a one-tap retry of the same package and phone. */
export function failedPage(
  ctx: PageCtx,
  o: {
    purchase: PurchaseInfo;
    kind: FailureKind;
    reason?: string | null;
    error?: FormError;
    waitSeconds?: number;
  },
): Html {
  const { t } = ctx;
  const [title, textKey] = FAILURE_TEXT[o.kind];
  // The common outcomes have our own wording; anything else gets M-Pesa's reason, in plain words.
  const text = o.kind === 'other' && o.reason ? o.reason : (t[textKey] as string);
  // M-Pesa refuses the same amount from the same phone for a while: the button waits with it
  // (a countdown with JavaScript; without, the page reloads ready when the time is up).
  const wait = o.error === 'wait' && o.waitSeconds ? o.waitSeconds : 0;
  const [before, after] = t.tryIn(-1).split('-1');
  const msg = wait
    ? html`<p class="msg" role="alert" id="waitmsg">${t.errWait} ${before}<span id="wait">${wait}</span>${after}</p>`
    : message(t, o.error, o.waitSeconds);
  // A locked PIN cannot be fixed by trying again: only Safaricom unlocks it.
  const retry =
    o.kind === 'locked'
      ? ''
      : html`<form method="post" action="/portal/retry/${o.purchase.id}">${carry(ctx)}<button id="retry"${raw(wait ? ' disabled' : '')}>${t.tryAgain} · ${formatKesShort(o.purchase.amountKes)}</button></form>`;
  const body = html`<div class="card"><div class="row">${ICON_FAIL}<h1>${t[title] as string}</h1></div>
<p>${text}</p>${msg}
${retry}<a class="btn alt" href="${link(ctx, '/portal')}">${t.otherPlan}</a></div>
${o.kind === 'locked' ? '' : html`<p class="links"><a href="${link(ctx, `/portal/paybill/${o.purchase.id}`)}">${t.payByPaybill}</a></p>`}`;
  if (!wait) return page(ctx, { title: t[title] as string, body });
  return page(ctx, {
    title: t[title] as string,
    body,
    refreshSeconds: wait,
    refreshUrl: link(ctx, `/portal/wait/${o.purchase.id}`),
    script: countdown(
      'wait',
      wait,
      false,
      "document.getElementById('retry').disabled=false;document.getElementById('waitmsg').hidden=true;",
    ),
  });
}

export interface PaybillInfo {
  type: 'paybill' | 'till';
  /** Paybill number, or the till number for Buy Goods. */
  number: string;
  /** What to type as the account (Paybill only). */
  account: string | null;
  amountKes: number;
}

/**
 * Paying from the M-Pesa menu when the STK prompt never arrives, then recovery by receipt. It
 * follows the purchase like the waiting page (long-poll with JavaScript; a "paid" check without),
 * so a payment by hand connects the device, and it says to cancel the prompt if it shows up late.
 */
export function paybillPage(ctx: PageCtx, o: { pay: PaybillInfo; purchaseId: string }): Html {
  const { t } = ctx;
  const { pay } = o;
  const wait = link(ctx, `/portal/wait/${o.purchaseId}`);
  const body = html`<div class="card"><h1>${t.paybillTitle}</h1><p>${t.paybillIntro}</p>
<p class="msg" role="note">${t.paybillOnce}</p>
<ol><li>${t.pbStep1}</li><li>${pay.type === 'till' ? t.pbStep2Till : t.pbStep2Paybill}</li></ol>
<dl><dt>${pay.type === 'till' ? t.tillNo : t.businessNo}</dt><dd class="big">${pay.number}</dd>
${pay.account ? html`<dt>${t.accountNo}</dt><dd class="big">${pay.account}</dd>` : ''}
<dt>${t.amount}</dt><dd class="big">${pay.amountKes}</dd></dl>
<ol start="3"><li>${t.pbStepPin}</li></ol><p role="status">${t.paybillWatching}</p><a class="btn alt" href="${wait}">${t.paybillCheck}</a></div>
${recoverForm(ctx, t.pbAfter)}`;
  // Only a paid purchase moves on: an STK prompt that failed or ran out still takes a payment by hand.
  const script = `(function p(){var x=new XMLHttpRequest();x.open('GET',${jsString(`/api/purchases/${o.purchaseId}?wait=25`)});x.timeout=35000;x.onload=function(){var s;try{s=JSON.parse(x.responseText).status}catch(e){}if(s==='paid')location.replace(${jsString(wait)});else setTimeout(p,x.status===200?0:3000)};x.onerror=x.ontimeout=function(){setTimeout(p,3000)};x.send()})()`;
  return page(ctx, { title: t.paybillTitle, body, script });
}

function recoverForm(
  ctx: PageCtx,
  intro: string,
  o: { receipt?: string; error?: FormError; heading?: 'h1' | 'h2' } = {},
): Html {
  const { t } = ctx;
  // The page's own heading on the recover page; a section of the Paybill page.
  const h = o.heading === 'h1' ? html`<h1>${t.recoverTitle}</h1>` : html`<h2>${t.recoverTitle}</h2>`;
  return html`<form class="card" method="post" action="/portal/recover">${h}<p>${intro}</p>${message(t, o.error)}
<label for="receipt">${t.receiptLabel}</label><input type="text" id="receipt" name="receipt" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="12" value="${o.receipt ?? ''}">
${carry(ctx)}<button>${t.recoverBtn}</button></form>`;
}

export interface SmsRecovery {
  /** YYYY-MM-DD today in Kenya, the date field's default and upper bound. */
  today: string;
  phone?: string;
  amount?: string;
  day?: string;
  error?: FormError;
  sent?: boolean;
}

/**
 * "Already paid?": the M-Pesa receipt puts this device online; without it, the phone, amount and
 * day get the code texted to the phone that paid (never shown here: anyone may know a number).
 */
export function recoverPage(
  ctx: PageCtx,
  o: { receipt?: string; error?: FormError; sms: SmsRecovery },
): Html {
  const { t } = ctx;
  const s = o.sms;
  const body = html`${recoverForm(ctx, t.recoverIntro, { ...o, heading: 'h1' })}
<form class="card" method="post" action="/portal/recover-sms"><h2>${t.smsTitle}</h2>${s.sent ? html`<p class="msg good" role="status">${t.smsSent}</p>` : html`<p>${t.smsIntro}</p>`}${message(t, s.error)}
<label for="sphone">${t.smsPhone}</label><input type="tel" id="sphone" name="phone" inputmode="tel" autocomplete="tel" required maxlength="20" placeholder="${t.phoneHint}" value="${s.phone ?? ''}">
<label for="samount">${t.smsAmount}</label><input type="text" id="samount" name="amount" inputmode="numeric" pattern="[0-9]*" required maxlength="6" value="${s.amount ?? ''}">
<label for="sday">${t.smsDay}</label><input type="date" id="sday" name="day" required max="${s.today}" value="${s.day ?? s.today}">
${carry(ctx)}<button>${t.smsBtn}</button></form>
<p class="links"><a href="${link(ctx, '/portal/voucher')}">${t.codeLabel}</a> · <a href="${link(ctx, '/portal')}">${t.back}</a></p>`;
  return page(ctx, { title: t.recoverTitle, body });
}

export interface LoginForm {
  action: string;
  username: string;
  password: string;
  dst: string | null;
}

/**
 * Logs the device into the router: a form the browser posts to the hotspot's login URL (the
 * router knows the device by the connection, so the browser must make this request), submitted
 * by script at once, or by the visible button when scripts are off.
 */
export function connectPage(ctx: PageCtx, o: { code: string; login: LoginForm | null }): Html {
  const { t } = ctx;
  const { login } = o;
  const codeBox = html`<p>${t.yourCode}:</p><p class="big">${formatCode(o.code)}</p><p class="sub">${t.keepCode}</p>`;
  if (!login) {
    // Not opened through a hotspot login page: nothing to submit; the code is what they need.
    const body = html`<div class="card"><div class="row">${ICON_OK}<h1>${t.yourCode}</h1></div>${codeBox}<p class="msg">${t.errNoDevice}</p></div>`;
    return page(ctx, { title: t.yourCode, body });
  }
  const body = html`<form class="card" id="login" method="post" action="${login.action}"><div class="row"><div class="spin"></div><h1>${t.connecting}</h1></div>
<p>${t.connectingText}</p><input type="hidden" name="username" value="${login.username}"><input type="hidden" name="password" value="${login.password}">${login.dst ? html`<input type="hidden" name="dst" value="${login.dst}">` : ''}<input type="hidden" name="popup" value="false">
<p>${t.connectingBtn}</p><button>${t.connect}</button>${codeBox}</form>`;
  return page(ctx, { title: t.connecting, body, script: `document.getElementById('login').submit()` });
}

/**
 * Paid, but the router's login failed or never happened: that they paid, their code, a retry
 * (a form: works without JavaScript) and, smaller, the way to the packages for something else.
 */
export function paidPage(
  ctx: PageCtx,
  o: { code: string; routerError: string | undefined; retry: string; more: string },
): Html {
  const { t } = ctx;
  const body = html`<form class="card" method="post" action="${o.retry}"><div class="row">${ICON_OK}<h1>${t.paidTitle}</h1></div><p>${t.paidText}</p>
${o.routerError ? html`<p class="msg" role="alert">${t.loginFailed} ${t.routerSaid} ${o.routerError}</p>` : ''}<p>${t.yourCode}:</p><p class="big">${formatCode(o.code)}</p>${carry(ctx)}<button>${t.tryAgain}</button></form><p class="links"><a href="${o.more}">${t.otherPackage}</a></p>`;
  return page(ctx, { title: t.paidTitle, body });
}

/** The access exists but the router has not been told yet (grant job pending): check again shortly. */
export function preparingPage(ctx: PageCtx, o: { again: string; agent?: boolean }): Html {
  const { t } = ctx;
  // An agent router has to collect the access on its next poll: say so, the wait is longer.
  const text = o.agent ? t.agentWaitText : t.connectingText;
  const body = html`<div class="card"><div class="row"><div class="spin"></div><h1>${t.preparing}</h1></div><p role="status">${text}</p><a class="btn alt" href="${o.again}">${t.refresh}</a></div>`;
  return page(ctx, {
    title: t.preparing,
    body,
    refreshSeconds: 1,
    refreshUrl: o.again,
    script: `setTimeout(function(){location.replace(${jsString(o.again)})},800)`,
  });
}

export interface OnlineInfo {
  secondsLeft: number;
  bytesLeft: number | null;
  /** Over a fair-use cap: online at the plan's reduced speed. */
  throttled: boolean;
  devices: number;
  accessCodeId: string;
  /** When the access ends (wall-clock plans); null when time runs only while online. */
  endsAt: Date | null;
}

/** ACDEF-GHJKM → AC•••-•••KM: enough to tell two tickets apart, not enough to use one. */
const maskCode = (formatted: string): string =>
  formatted.replace(/[A-Z0-9]/gi, (ch, i: number) => (i < 2 || i >= formatted.length - 2 ? ch : '•'));

/**
 * Online status: the code (masked; shown in full on request, to the browser that was handed it),
 * the end time in East Africa Time, data left, devices, log out and top-up. Without the router's
 * variables the device cannot be told apart from any other, and the page says so.
 */
export function statusPage(
  ctx: PageCtx,
  o: { online: OnlineInfo | null; code?: string | null; logout?: string | null; unknownDevice?: boolean },
): Html {
  const { t } = ctx;
  const topUp = html`<a class="btn${o.online ? ' alt' : ''}" href="${link(ctx, '/portal')}">${o.online ? t.topUp : t.choosePlan}</a>`;
  if (!o.online && o.unknownDevice) {
    const body = html`<div class="card"><h1>${t.whichDevice}</h1><p>${t.whichDeviceText}</p>${topUp}</div>`;
    return page(ctx, { title: t.whichDevice, body });
  }
  if (!o.online) {
    const body = html`<div class="card"><h1>${t.notOnline}</h1><p>${t.notOnlineText}</p>${topUp}<a class="btn alt" href="${link(ctx, '/portal/voucher')}">${t.codeLabel}</a></div>`;
    return page(ctx, { title: t.notOnline, body });
  }
  const { online } = o;
  const code = o.code
    ? html`<dt>${t.codeShort}</dt><dd><details><summary><span class="mono">${maskCode(formatCode(o.code))}</span> · ${t.showCode}</summary><span class="big">${formatCode(o.code)}</span></details></dd>`
    : '';
  const ends = online.endsAt
    ? html`<dt>${t.endsAt}</dt><dd>${formatEat(online.endsAt)}</dd>`
    : html`<dt>${t.endsAt}</dt><dd>${t.whileOnline}</dd>`;
  const body = html`<div class="card"><div class="row">${ICON_OK}<h1>${t.online}</h1></div>
<dl>${code}<dt>${t.timeLeft}</dt><dd>${formatLeft(t, online.secondsLeft)}</dd>${ends}<dt>${t.dataLeft}</dt><dd>${online.throttled ? html`<strong>${t.reducedSpeed}</strong>` : online.bytesLeft === null ? t.unlimited : formatBytes(online.bytesLeft)}</dd><dt>${t.devicesLabel}</dt><dd>${online.devices}</dd></dl>
${ctx.hs.linkOrig ? html`<a class="btn" href="${ctx.hs.linkOrig}">${t.continueTo}</a>` : ''}${topUp}${o.logout ? html`<a class="btn alt" href="${o.logout}">${t.logOut}</a>` : ''}</div>`;
  return page(ctx, { title: t.online, body });
}

export function errorPage(ctx: PageCtx, o: { kind: 'not_found' | 'bad_request' | 'problem' }): Html {
  const { t } = ctx;
  const [title, text] =
    o.kind === 'not_found'
      ? [t.notFound, t.notFoundText]
      : o.kind === 'bad_request'
        ? [t.badRequest, t.badRequestText]
        : [t.problem, t.problemText];
  const body = html`<div class="card"><div class="row">${ICON_FAIL}<h1>${title}</h1></div><p>${text}</p><a class="btn" href="${link(ctx, '/portal')}">${t.choosePlan}</a></div>`;
  return page(ctx, { title, body });
}
