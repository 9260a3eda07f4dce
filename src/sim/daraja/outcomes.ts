/**
 * How the simulator decides what the customer "does" with a prompt. Magic phone numbers make
 * every outcome reachable from a browser or a test without any setup; everything else follows the
 * simulator's default (a person on /sim/phone in demo, instant success in tests).
 */
export type PhoneAction = 'pay' | 'cancel' | 'wrong_pin' | 'no_answer' | 'insufficient';

export const ACTION_CODES: Record<PhoneAction, number> = {
  pay: 0,
  cancel: 1032,
  wrong_pin: 2001,
  no_answer: 1037,
  insufficient: 1,
};

export const RESULT_DESC: Record<string, string> = {
  '0': 'The service request is processed successfully.',
  '1': 'The balance is insufficient for the transaction.',
  '17': 'Rule limited.',
  '1019': 'Transaction has expired.',
  '1025': 'An error occurred while sending a push request.',
  '1032': 'Request cancelled by user',
  '1037': 'DS timeout user cannot be reached',
  '2001': 'The initiator information is invalid.',
  '2028': 'The request is not permitted according to product assignment.',
  '8006': 'The security credential is locked.',
  '9999': 'An error occurred while sending a push request.',
  SFC_IC0003: 'The operator does not exist.',
};

/**
 * What happens to one push:
 * - `result`: the final ResultCode, reached after the auto delay;
 * - `manual`: wait for a person on the phone page (1037 if nobody answers in time);
 * - `lost`: succeeds but the callback is never sent (only STK Query tells);
 * - `slow4999`: queries answer the transient 4999 until the prompt times out with 1037;
 * - `push500`: the push itself fails with HTTP 500 (no prompt).
 */
export type Plan =
  | { kind: 'result'; code: number | string }
  | { kind: 'manual' }
  | { kind: 'lost' }
  | { kind: 'slow4999' }
  | { kind: 'push500' };

/** Last four digits of the phone → outcome. Documented in docs/payments.md. */
export const MAGIC_SUFFIXES: Record<string, Plan> = {
  '0001': { kind: 'result', code: 1 },
  '0017': { kind: 'result', code: 17 },
  '1019': { kind: 'result', code: 1019 },
  '1025': { kind: 'result', code: 1025 },
  '1032': { kind: 'result', code: 1032 },
  '1037': { kind: 'result', code: 1037 },
  '2001': { kind: 'result', code: 2001 },
  '8006': { kind: 'result', code: 8006 },
  '9999': { kind: 'result', code: 9999 },
  '4999': { kind: 'slow4999' },
  '0404': { kind: 'lost' },
  '0500': { kind: 'push500' },
  '0000': { kind: 'manual' },
  '1111': { kind: 'result', code: 0 },
};

/** Safaricom's sandbox test MSISDN always pays. */
export const SANDBOX_TEST_MSISDN = '254708374149';

export function planFor(phone: string, fallback: Plan): Plan {
  if (phone === SANDBOX_TEST_MSISDN) return { kind: 'result', code: 0 };
  return MAGIC_SUFFIXES[phone.slice(-4)] ?? fallback;
}

/** Small seeded PRNG so a faulty run can be repeated with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
