/**
 * Daraja ResultCodes → what happens to the purchase and what we tell the customer, in English and
 * Kiswahili. Only 0 is a payment. Codes not listed (and the transient 4999) are not failures: the
 * purchase stays pending and the reconciler asks Daraja again. The portal imports REASONS to show
 * the same words. Our own outcomes use names instead of numbers (`timeout`, `push_failed`, …).
 */
import type { PurchaseStatus } from '../db/schema.ts';

export interface Reason {
  en: string;
  sw: string;
}

export type Outcome = Exclude<PurchaseStatus, 'pending'> | 'pending';

export interface ResultMeaning {
  outcome: Outcome;
  reason: Reason;
}

const FAIL_SEND: Reason = {
  en: 'M-Pesa could not send the request to your phone. Please try again.',
  sw: 'M-Pesa haikuweza kutuma ombi kwenye simu yako. Tafadhali jaribu tena.',
};
const SHOP_SETUP: Reason = {
  en: "The shop's M-Pesa settings are wrong. Please tell the attendant.",
  sw: 'Mipangilio ya M-Pesa ya duka si sahihi. Tafadhali mwambie mhudumu.',
};

export const RESULT_CODES: Record<string, ResultMeaning> = {
  '0': {
    outcome: 'paid',
    reason: { en: 'Paid. You are ready to go online.', sw: 'Umelipa. Uko tayari kutumia mtandao.' },
  },
  '1': {
    outcome: 'failed',
    reason: { en: 'Not enough money in M-Pesa.', sw: 'Salio la M-Pesa halitoshi.' },
  },
  '2': {
    outcome: 'failed',
    reason: {
      en: 'The amount is below the M-Pesa minimum.',
      sw: 'Kiasi ni chini ya kiwango cha chini cha M-Pesa.',
    },
  },
  '3': {
    outcome: 'failed',
    reason: { en: 'The amount is above the M-Pesa limit.', sw: 'Kiasi kimezidi kikomo cha M-Pesa.' },
  },
  '4': {
    outcome: 'failed',
    reason: {
      en: 'This would pass your daily M-Pesa limit.',
      sw: 'Malipo haya yangezidi kikomo chako cha siku cha M-Pesa.',
    },
  },
  '8': {
    outcome: 'failed',
    reason: {
      en: "The shop's M-Pesa account cannot take more money right now. Please tell the attendant.",
      sw: 'Akaunti ya M-Pesa ya duka haiwezi kupokea pesa zaidi sasa hivi. Tafadhali mwambie mhudumu.',
    },
  },
  '17': {
    outcome: 'failed',
    reason: {
      en: 'You paid this same amount a moment ago. Wait 2 minutes, or pick another package.',
      sw: 'Umelipa kiasi hiki hiki muda mfupi uliopita. Subiri dakika 2, au chagua kifurushi kingine.',
    },
  },
  '26': {
    outcome: 'failed',
    reason: {
      en: 'M-Pesa is busy. Please try again in a minute.',
      sw: 'M-Pesa ina shughuli nyingi. Tafadhali jaribu tena baada ya dakika moja.',
    },
  },
  '1001': {
    outcome: 'failed',
    reason: {
      en: 'Another M-Pesa request is open on your phone. Close it, then try again in a minute.',
      sw: 'Kuna ombi lingine la M-Pesa kwenye simu yako. Lifunge, kisha jaribu tena baada ya dakika moja.',
    },
  },
  '1019': {
    outcome: 'expired',
    reason: {
      en: 'The payment request expired before it was finished.',
      sw: 'Ombi la malipo liliisha muda kabla ya kukamilika.',
    },
  },
  '1025': { outcome: 'failed', reason: FAIL_SEND },
  '9999': { outcome: 'failed', reason: FAIL_SEND },
  '1032': {
    outcome: 'cancelled',
    reason: { en: 'You cancelled the payment.', sw: 'Ulighairi malipo.' },
  },
  '1037': {
    outcome: 'expired',
    reason: {
      en: 'No answer from your phone. Make sure it is on and has network, then try again.',
      sw: 'Simu yako haikujibu. Hakikisha imewashwa na ina mtandao, kisha jaribu tena.',
    },
  },
  '2001': {
    outcome: 'failed',
    reason: { en: 'Wrong M-Pesa PIN.', sw: 'PIN ya M-Pesa si sahihi.' },
  },
  '8006': {
    outcome: 'failed',
    reason: {
      en: 'Your M-Pesa PIN is locked. Call Safaricom on 100 to unlock it.',
      sw: 'PIN yako ya M-Pesa imefungwa. Piga 100 (Safaricom) kuifungua.',
    },
  },
  '2028': { outcome: 'failed', reason: SHOP_SETUP },
  SFC_IC0003: { outcome: 'failed', reason: SHOP_SETUP },
};

/** Our own outcomes (not Daraja codes), stored in purchases.result_code the same way. */
export const OWN_CODES: Record<string, ResultMeaning> = {
  timeout: {
    outcome: 'expired',
    reason: {
      en: 'We did not hear back from M-Pesa in time. If money left your account, you will still get your code.',
      sw: 'Hatukupata jibu kutoka M-Pesa kwa wakati. Kama pesa zilikatwa, bado utapata msimbo wako.',
    },
  },
  push_failed: {
    outcome: 'failed',
    reason: {
      en: 'We could not send the M-Pesa request. Please try again.',
      sw: 'Hatukuweza kutuma ombi la M-Pesa. Tafadhali jaribu tena.',
    },
  },
  busy: { outcome: 'failed', reason: RESULT_CODES['26']!.reason },
  locked: { outcome: 'failed', reason: RESULT_CODES['1001']!.reason },
};

export const PENDING_REASON: Reason = {
  en: 'Check your phone and enter your M-Pesa PIN.',
  sw: 'Angalia simu yako na uweke PIN yako ya M-Pesa.',
};

const UNKNOWN_FAILURE: Reason = {
  en: 'M-Pesa did not complete the payment.',
  sw: 'M-Pesa haikukamilisha malipo.',
};

/** Every reason the portal may show, keyed by result code (Daraja or ours). */
export const REASONS: Record<string, Reason> = Object.fromEntries(
  [...Object.entries(RESULT_CODES), ...Object.entries(OWN_CODES)].map(([k, v]) => [k, v.reason]),
);

/** What a Daraja ResultCode means for the purchase; unknown codes stay pending. */
export function meaningOf(code: string): ResultMeaning {
  return RESULT_CODES[code.trim()] ?? { outcome: 'pending', reason: PENDING_REASON };
}

/** The sentence for a purchase in a given status with a given stored code. */
export function reasonFor(status: PurchaseStatus, code: string | null, lang: 'en' | 'sw' = 'en'): string {
  if (status === 'pending') return PENDING_REASON[lang];
  if (status === 'paid') return RESULT_CODES['0']!.reason[lang];
  const known = code ? (RESULT_CODES[code] ?? OWN_CODES[code]) : undefined;
  return (known?.reason ?? UNKNOWN_FAILURE)[lang];
}

/**
 * What a result code means, in the few words staff need on the dashboard (Daraja's own text is
 * often about something else: 2001 reads "The initiator information is invalid" for a wrong PIN).
 */
const STAFF_MEANINGS: Record<string, string> = {
  '0': 'Paid',
  '1': 'Not enough M-Pesa balance',
  '2': 'Below the M-Pesa minimum',
  '3': 'Above the M-Pesa maximum',
  '4': "Over the customer's daily limit",
  '8': "The shop's account is at its limit",
  '17': 'Same amount within 2 minutes',
  '26': 'M-Pesa busy',
  '1001': 'Another request open on the phone',
  '1019': 'Expired before the PIN',
  '1025': 'M-Pesa could not send the prompt',
  '9999': 'M-Pesa could not send the prompt',
  '1032': 'Cancelled by the customer',
  '1037': 'No answer from the phone',
  '2001': 'Wrong PIN',
  '8006': 'PIN locked',
  '2028': 'Shop setup: short code or till not allowed',
  SFC_IC0003: 'Shop setup: short code or till not allowed',
  timeout: 'No word from M-Pesa in time',
};

export const staffMeaning = (code: string): string | null => STAFF_MEANINGS[code.trim()] ?? null;
