/**
 * The Daraja simulator's vocabulary: its options and fault knobs, the records it keeps (pushes,
 * ledger entries, deliveries) and the error envelope every Daraja API answers with.
 */
import * as ids from './ids.ts';
import type { Plan } from './outcomes.ts';

export interface SimApp {
  consumerKey: string;
  consumerSecret: string;
}

export interface SimMerchant {
  shortcode: string;
  passkey: string;
  tills?: string[];
}

/** A payment that moved money on the simulated M-Pesa (what Transaction Status and Pull report). */
export interface LedgerEntry {
  receipt: string;
  shortcode: string;
  amount: number;
  phone: string;
  billRef: string;
  at: Date;
  type: 'Pay Bill' | 'Buy Goods';
}

/** An API operator on a shortcode (Transaction Status needs one). */
export interface SimInitiator {
  shortcode: string;
  name: string;
  password: string;
}

export interface Faults {
  /** Callback delay range in ms (uniform). Different delays reorder callbacks across pushes. */
  callbackDelayMs: [number, number];
  /** Probability a callback is never sent. */
  dropRate: number;
  /** Probability a callback is sent twice (the copy after another random delay). */
  duplicateRate: number;
  /** Probability an STK push is answered HTTP 500 (no prompt sent). */
  push500Rate: number;
  /** Probability an STK query is answered HTTP 500 `500.003.1001`. */
  query500Rate: number;
  /** Queries keep saying "being processed" for this many answers after the result is final. */
  lagQueries: number;
  /** Probability a query of a successful payment says 1032 (the sandbox's query/callback disagreement). */
  queryLiesRate: number;
  /** Spike arrest on STK Query, per app: at most `max` queries per `windowMs`, else HTTP 429. */
  queryLimit: { max: number; windowMs: number } | null;
  /** Paybill with C2B URLs registered: a paid STK push also arrives as a C2B confirmation. */
  stkAlsoC2b: boolean;
  /** Transaction Status: the result is sent this long after the request (a late result). */
  statusResultDelayMs: number;
  /** Transaction Status: M-Pesa gives up queueing; the QueueTimeOutURL is called instead. */
  statusQueueTimeout: boolean;
  /** Probability a C2B confirmation is never sent (the payment still completes; Pull finds it). */
  c2bDropRate: number;
}

export const NO_FAULTS: Faults = {
  callbackDelayMs: [0, 0],
  dropRate: 0,
  duplicateRate: 0,
  push500Rate: 0,
  query500Rate: 0,
  lagQueries: 0,
  queryLiesRate: 0,
  queryLimit: null,
  stkAlsoC2b: false,
  statusResultDelayMs: 0,
  statusQueueTimeout: false,
  c2bDropRate: 0,
};

export interface DarajaSimOptions {
  apps?: SimApp[];
  merchants?: SimMerchant[];
  /** Outcome for phones without a magic suffix: a person decides (demo) or an automatic result. */
  defaultPlan?: Plan;
  /** Time from push to automatic result. */
  autoDelayMs?: number;
  /** A prompt nobody answers ends with 1037 after this long (about a minute on real phones). */
  promptTimeoutMs?: number;
  /** Each new token revokes the app's previous one, as Daraja's FAQ says. */
  singleTokenPerApp?: boolean;
  faults?: Partial<Faults>;
  random?: () => number;
  now?: () => Date;
  /** How long to wait for a C2B validation answer before applying ResponseType. */
  validationTimeoutMs?: number;
  initiators?: SimInitiator[];
}

export const DEMO_APP: SimApp = { consumerKey: 'demo-consumer-key', consumerSecret: 'demo-consumer-secret' };
export const DEMO_MERCHANT: SimMerchant = {
  shortcode: '174379',
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
  tills: ['174380'],
};

/**
 * A second business in demo (payment accounts): a Till 300501 whose store number is 300500, on
 * its own Daraja app. Made-up numbers, accepted only by the simulator.
 */
export const DEMO_SECOND_ACCOUNT = {
  app: { consumerKey: 'demo-till-consumer-key', consumerSecret: 'demo-till-consumer-secret' } as SimApp,
  merchant: { shortcode: '300500', passkey: 'demo-till-passkey-300500', tills: ['300501'] } as SimMerchant,
};

export interface StkTxn {
  checkoutRequestId: string;
  merchantRequestId: string;
  app: string;
  shortcode: string;
  partyB: string;
  transactionType: string;
  phone: string;
  amount: number;
  accountReference: string;
  description: string;
  callbackUrl: string;
  createdAt: Date;
  plan: Plan;
  state: 'pending' | 'final';
  resultCode: number | string | null;
  resultDesc: string | null;
  receipt: string | null;
  finishedAt: Date | null;
  lagLeft: number;
  callbacksSent: number;
}

export interface Delivery {
  at: Date;
  url: string;
  kind: 'stk' | 'c2b_validation' | 'c2b_confirmation' | 'transaction_status';
  id: string;
  status: 'sent' | 'dropped' | 'failed';
  httpStatus?: number;
}

export interface C2bRegistration {
  confirmationUrl: string;
  validationUrl: string;
  responseType: 'Completed' | 'Cancelled';
  version: 'v1' | 'v2';
}

/** Sync answers: HTTP status + body, exactly as routes send them. */
export interface SimReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const envelope = (status: number, errorCode: string, errorMessage: string): SimReply => ({
  status,
  body: { requestId: ids.requestId(), errorCode, errorMessage },
});
export const badRequest = (field: string) => envelope(400, '400.002.02', `Bad Request - Invalid ${field}`);
export const PHONE = /^254[17]\d{8}$/;

/** Counters for tests and the phone page. */
export interface SimStats {
  pushes: number;
  queries: number;
  rateLimited: number;
  callbacks: number;
  dropped: number;
  duplicated: number;
  /** Callbacks that could not be delivered (connection refused or reset, timeout). */
  failed: number;
}

/**
 * What every part of the simulator shares: the accounts, the money ledger and the fault knobs,
 * read live (tests change `faults` and the outcomes between calls).
 */
export interface SimContext {
  readonly merchants: SimMerchant[];
  readonly faults: Faults;
  readonly random: () => number;
  readonly now: () => Date;
  readonly stats: SimStats;
  /** Every payment that moved money, by receipt. */
  readonly ledger: Map<string, LedgerEntry>;
}

/** Whether a shortcode is one of the merchants' Paybills or Tills. */
export const knownShortcode = (merchants: SimMerchant[], shortCode: string): boolean =>
  merchants.some((m) => m.shortcode === shortCode || (m.tills ?? []).includes(shortCode));
