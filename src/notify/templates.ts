/**
 * The SMS texts, in English and Kiswahili. Each must fit one GSM-7 SMS (160 septets) with the
 * longest values we allow, so a customer is never billed for two parts or sent a cut-off code;
 * the business name is shortened to fit rather than the code.
 */
import { gsm7Length, toGsm7 } from '../protocols/sms/gsm7.ts';

export type SmsLang = 'en' | 'sw';
export const SMS_LANGS: SmsLang[] = ['en', 'sw'];

export interface CodeVars {
  business: string;
  code: string;
  plan: string;
  supportPhone?: string | null | undefined;
  /** A voucher's own password (imported user/password vouchers): sent with the code. */
  password?: string | null | undefined;
}
export interface GiftVars extends CodeVars {
  /** Who paid, already masked (0712***678). */
  from: string;
}
export interface ReceiptVars extends CodeVars {
  amountKes: number;
  receipt: string;
}

export interface ReminderVars {
  business: string;
  /** Whole minutes left (at least 1). */
  minutes: number;
  /** How to pay by hand, "Paybill 174379" or "Till 123456"; null when there is none. */
  pay: string | null;
  /** The portal's address; dropped (after the business name is cut) when the text is too long. */
  url?: string | null | undefined;
}

/** A subscription payment credited (src/subscribers/apply-payment.ts). */
export interface SubscriptionReceiptVars {
  business: string;
  amountKes: number;
  /** M-Pesa receipt; null when M-Pesa did not give one (STK Query). */
  receipt: string | null;
  account: string;
  /** The due date after this payment, as the subscriber reads it (EAT): "05 Mar 2026". */
  due: string;
  balanceKes: number;
}

/** A subscription due soon or today (src/subscribers/remind-due.ts). */
export interface DueReminderVars {
  business: string;
  /** Days left; 0 means today. */
  days: number;
  amountKes: number;
  account: string;
  /** "Paybill 174379"; null when there is no Paybill to pay by hand. */
  pay: string | null;
  /** The pay page with the account filled in; dropped when the text is too long. */
  url?: string | null | undefined;
}

type Render<V> = (v: V, business: string) => string;

const help = (v: CodeVars, word: string) => (v.supportPhone ? ` ${word} ${v.supportPhone}` : '');
/** " Buy more: <url> or M-Pesa Paybill 174379." with whichever of the two there is (or nothing). */
const buyMore = (v: ReminderVars, buy: string, or: string) => {
  const ways = [v.url, v.pay ? `M-Pesa ${v.pay}` : null].filter(Boolean);
  return ways.length ? ` ${buy}: ${ways.join(` ${or} `)}.` : '';
};
const mpesaRef = (r: string | null) => (r ? `, M-Pesa ${r}` : '');
const payBy = (v: DueReminderVars, acc: string, or: string) => {
  const ways = [v.pay ? `M-Pesa ${v.pay} ${acc} ${v.account}` : null, v.url].filter(Boolean);
  return ways.length ? ` ${ways.join(` ${or} `)}.` : '';
};
const pw = (v: CodeVars, word: string) => (v.password ? `, ${word} ${v.password}` : '');
/** The last resort for a long username and password: just the pair, nothing to cut. */
const BARE = {
  en: (v: CodeVars, b: string) => `${b}: WiFi user ${v.code} password ${v.password}`,
  sw: (v: CodeVars, b: string) => `${b}: WiFi jina ${v.code} nenosiri ${v.password}`,
} as const;

const TEMPLATES = {
  code: {
    en: ((v, b) =>
      `${b}: your WiFi code is ${v.code}${pw(v, 'password')} (${v.plan}). Join the WiFi and type it to get online.${help(v, 'Help')}`) as Render<CodeVars>,
    sw: ((v, b) =>
      `${b}: msimbo wako wa WiFi ni ${v.code}${pw(v, 'nenosiri')} (${v.plan}). Unganisha WiFi uuandike uingie mtandaoni.${help(v, 'Msaada')}`) as Render<CodeVars>,
  },
  gift: {
    en: ((v, b) =>
      `${v.from} bought you ${v.plan} of WiFi at ${b}. Code: ${v.code}${pw(v, 'password')}. Join the WiFi and type the code.${help(v, 'Help')}`) as Render<GiftVars>,
    sw: ((v, b) =>
      `${v.from} amekununulia WiFi ya ${v.plan} kwa ${b}. Msimbo: ${v.code}${pw(v, 'nenosiri')}. Unganisha WiFi uandike msimbo.${help(v, 'Msaada')}`) as Render<GiftVars>,
  },
  receipt: {
    en: ((v, b) =>
      `${b}: received KES ${v.amountKes} for ${v.plan}, M-Pesa ${v.receipt}. Your WiFi code: ${v.code}.${help(v, 'Help')}`) as Render<ReceiptVars>,
    sw: ((v, b) =>
      `${b}: tumepokea KES ${v.amountKes} kwa ${v.plan}, M-Pesa ${v.receipt}. Msimbo wako wa WiFi: ${v.code}.${help(v, 'Msaada')}`) as Render<ReceiptVars>,
  },
  // A reminder is not a text the customer asked for, so it says how to stop them (notify/opt-out.ts).
  reminder: {
    en: ((v, b) =>
      `${b}: your WiFi time ends in ${v.minutes} min.${buyMore(v, 'Buy more', 'or')} Reply STOP to end reminders.`) as Render<ReminderVars>,
    sw: ((v, b) =>
      `${b}: muda wa WiFi unaisha baada ya dakika ${v.minutes}.${buyMore(v, 'Nunua zaidi', 'au')} Jibu ACHA kuzuia vikumbusho.`) as Render<ReminderVars>,
  },
  subscription_receipt: {
    en: ((v, b) =>
      `${b}: received KES ${v.amountKes} for account ${v.account}${mpesaRef(v.receipt)}. Paid up to ${v.due}. Balance KES ${v.balanceKes}.`) as Render<SubscriptionReceiptVars>,
    sw: ((v, b) =>
      `${b}: tumepokea KES ${v.amountKes} kwa akaunti ${v.account}${mpesaRef(v.receipt)}. Umelipia hadi ${v.due}. Salio KES ${v.balanceKes}.`) as Render<SubscriptionReceiptVars>,
  },
  due_reminder: {
    en: ((v, b) =>
      `${b}: internet due ${v.days === 0 ? 'today' : `in ${v.days} day${v.days === 1 ? '' : 's'}`}, KES ${v.amountKes}.${payBy(v, 'account', 'or')} Reply STOP to end reminders.`) as Render<DueReminderVars>,
    sw: ((v, b) =>
      `${b}: malipo ya intaneti ${v.days === 0 ? 'ni leo' : `baada ya siku ${v.days}`}, KES ${v.amountKes}.${payBy(v, 'akaunti', 'au')} Jibu ACHA kuzuia vikumbusho.`) as Render<DueReminderVars>,
  },
} as const;

export type SmsTemplate = keyof typeof TEMPLATES;
type VarsOf<T extends SmsTemplate> = Parameters<(typeof TEMPLATES)[T]['en']>[0];

export const SMS_MAX = 160;

/**
 * Render a template. Values are made GSM-7 first; if the text is still too long the business
 * name is cut (down to 8 characters), then the help phone (a reminder: the portal address) is
 * dropped. Throws only if even that cannot fit, which the tests rule out for every allowed input size.
 */
export function renderSms<T extends SmsTemplate>(template: T, lang: SmsLang, vars: VarsOf<T>): string {
  const render = TEMPLATES[template][lang] as Render<VarsOf<T>>;
  const clean = Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? toGsm7(v).trim() : v]),
  ) as VarsOf<T>;
  let business = (clean as { business: string }).business || 'WiFi';
  for (;;) {
    const text = render(clean, business);
    const len = gsm7Length(text);
    if (len !== null && len <= SMS_MAX) return text;
    const over = (len ?? SMS_MAX + 1) - SMS_MAX;
    if (business.length > 9) {
      // Cut to fit (each round strictly shorter), ending in a dot so the cut shows.
      const keep = Math.max(8, Math.min(business.length - 2, business.length - over - 1));
      business = `${business.slice(0, keep).trimEnd()}.`;
    } else if ((clean as CodeVars).supportPhone) (clean as CodeVars).supportPhone = null;
    else if ((clean as ReminderVars | DueReminderVars).url)
      (clean as ReminderVars | DueReminderVars).url = null;
    else if ((clean as CodeVars).password) {
      const bare = BARE[lang](clean as CodeVars, business);
      if ((gsm7Length(bare) ?? SMS_MAX + 1) <= SMS_MAX) return bare;
      throw new Error(`SMS template ${template}/${lang} does not fit ${SMS_MAX} characters`);
    } else throw new Error(`SMS template ${template}/${lang} does not fit ${SMS_MAX} characters`);
  }
}
