/**
 * The Daraja simulator's state and behaviour, independent of HTTP (routes.ts maps requests onto
 * it). It keeps everything in memory: tokens, pushes, C2B registrations. Callbacks are POSTed to
 * the URLs the client gave, with the documented bodies, through the fault injector (delay, drop,
 * duplicate; random delays also reorder them across transactions). Like Daraja, failed deliveries
 * are not retried.
 */
import { constants, createHash, privateDecrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { darajaTimestamp, stkPassword } from '../../protocols/daraja/time.ts';
import { forbiddenUrlWord } from '../../protocols/daraja/url-rules.ts';
import * as ids from './ids.ts';
import { ACTION_CODES, type PhoneAction, type Plan, planFor, RESULT_DESC } from './outcomes.ts';

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

/**
 * The simulator's own certificate and key: the app encrypts the initiator password with this
 * certificate in demo (Safaricom's real ones in sandbox and production). Public test material.
 */
export const SIM_CERTIFICATE = readFileSync(new URL('./keys/simulator.cer', import.meta.url), 'utf8');
const SIM_PRIVATE_KEY = readFileSync(new URL('./keys/simulator-private.pem', import.meta.url), 'utf8');

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

interface C2bRegistration {
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

const envelope = (status: number, errorCode: string, errorMessage: string): SimReply => ({
  status,
  body: { requestId: ids.requestId(), errorCode, errorMessage },
});
const badRequest = (field: string) => envelope(400, '400.002.02', `Bad Request - Invalid ${field}`);
const PHONE = /^254[17]\d{8}$/;

export class DarajaSim {
  readonly apps: SimApp[];
  readonly merchants: SimMerchant[];
  faults: Faults;
  defaultPlan: Plan;
  autoDelayMs: number;
  promptTimeoutMs: number;
  private readonly singleToken: boolean;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly validationTimeoutMs: number;
  private readonly tokens = new Map<string, { app: string; expiresAt: number }>();
  private readonly latestToken = new Map<string, string>();
  readonly txns = new Map<string, StkTxn>();
  private readonly byPhone = new Map<string, StkTxn[]>();
  private readonly c2b = new Map<string, C2bRegistration>();
  private readonly queryTimes = new Map<string, number[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private pendingDeliveries = 0;
  readonly deliveries: Delivery[] = [];
  /** Every payment that moved money, by receipt. */
  readonly ledger = new Map<string, LedgerEntry>();
  readonly initiators: SimInitiator[];
  private closed = false;
  /** Counters for tests and the phone page. */
  readonly stats = {
    pushes: 0,
    queries: 0,
    rateLimited: 0,
    callbacks: 0,
    dropped: 0,
    duplicated: 0,
    /** Callbacks that could not be delivered (connection refused or reset, timeout). */
    failed: 0,
  };

  constructor(o: DarajaSimOptions = {}) {
    this.apps = o.apps ?? [DEMO_APP];
    this.merchants = o.merchants ?? [DEMO_MERCHANT];
    this.defaultPlan = o.defaultPlan ?? { kind: 'result', code: 0 };
    this.autoDelayMs = o.autoDelayMs ?? 1_000;
    this.promptTimeoutMs = o.promptTimeoutMs ?? 60_000;
    this.singleToken = o.singleTokenPerApp ?? true;
    this.faults = { ...NO_FAULTS, ...o.faults };
    this.random = o.random ?? Math.random;
    this.now = o.now ?? (() => new Date());
    this.validationTimeoutMs = o.validationTimeoutMs ?? 8_000;
    this.initiators = o.initiators ?? [];
  }

  // ---- OAuth -------------------------------------------------------------------------------

  oauth(authorization: string | undefined, grantType: string | undefined): SimReply {
    if (grantType !== 'client_credentials') return envelope(400, '400.008.02', 'Invalid grant type passed');
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return envelope(400, '400.008.01', 'Invalid authentication type passed');
    const [key, secret] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    const app = this.apps.find((a) => a.consumerKey === key && a.consumerSecret === secret);
    if (!app) return envelope(400, '400.008.01', 'Invalid Authentication passed');
    const token = randomBytes(21).toString('base64url').slice(0, 28);
    if (this.singleToken) {
      const prev = this.latestToken.get(app.consumerKey);
      if (prev) this.tokens.delete(prev);
    }
    this.tokens.set(token, { app: app.consumerKey, expiresAt: this.now().getTime() + 3_600_000 });
    this.latestToken.set(app.consumerKey, token);
    // expires_in is a string in real answers.
    return { status: 200, body: { access_token: token, expires_in: '3599' } };
  }

  /** The app behind a Bearer header, or the error Daraja gives. */
  authorize(authorization: string | undefined): { app: string } | SimReply {
    const m = /^Bearer\s+(\S+)$/.exec(authorization ?? '');
    if (!m) return envelope(404, '404.001.04', 'Invalid Authentication Header');
    const t = this.tokens.get(m[1]!);
    if (!t || t.expiresAt <= this.now().getTime()) return envelope(404, '404.001.03', 'Invalid Access Token');
    return { app: t.app };
  }

  /** Test hook: revoke every token (as a token expiry would). */
  expireTokens(): void {
    this.tokens.clear();
  }

  // ---- STK push ----------------------------------------------------------------------------

  private checkCredentials(b: Record<string, unknown>): SimMerchant | SimReply {
    const shortcode = String(b.BusinessShortCode ?? '');
    if (!/^\d{5,7}$/.test(shortcode)) return badRequest('BusinessShortCode');
    const ts = String(b.Timestamp ?? '');
    if (!/^\d{14}$/.test(ts)) return badRequest('Timestamp');
    const merchant = this.merchants.find((m) => m.shortcode === shortcode);
    if (!merchant) return envelope(500, '500.001.1001', 'Merchant does not exist');
    if (String(b.Password ?? '') !== stkPassword(shortcode, merchant.passkey, ts)) {
      return envelope(500, '500.001.1001', '[MerchantValidate] - Wrong credentials');
    }
    return merchant;
  }

  stkPush(app: string, b: Record<string, unknown>): SimReply {
    this.stats.pushes++;
    const merchant = this.checkCredentials(b);
    if ('status' in merchant) return merchant;
    const type = String(b.TransactionType ?? '');
    if (type !== 'CustomerPayBillOnline' && type !== 'CustomerBuyGoodsOnline')
      return badRequest('TransactionType');
    const amountNum = typeof b.Amount === 'string' ? Number(b.Amount.trim()) : b.Amount;
    if (
      typeof amountNum !== 'number' ||
      !Number.isInteger(amountNum) ||
      amountNum < 1 ||
      amountNum > 250_000
    ) {
      return badRequest('Amount');
    }
    const partyA = String(b.PartyA ?? '');
    const phone = String(b.PhoneNumber ?? '');
    if (!PHONE.test(partyA)) return badRequest('PartyA');
    if (!PHONE.test(phone)) return badRequest('PhoneNumber');
    const partyB = String(b.PartyB ?? '');
    if (!/^\d{5,8}$/.test(partyB)) return badRequest('PartyB');
    const url = typeof b.CallBackURL === 'string' ? b.CallBackURL : '';
    if (!/^https?:\/\/\S+$/.test(url) || forbiddenUrlWord(url)) return badRequest('CallBackURL');
    const ref = b.AccountReference;
    if (typeof ref !== 'string' || ref.length < 1 || ref.length > 12) return badRequest('AccountReference');
    const desc = b.TransactionDesc;
    if (typeof desc !== 'string' || desc.length < 1 || desc.length > 13) return badRequest('Remarks');
    if (this.random() < this.faults.push500Rate)
      return envelope(500, '500.003.1001', 'Internal Server Error');

    const now = this.now();
    const recent = this.byPhone.get(phone) ?? [];
    if (recent.some((t) => t.state === 'pending')) {
      return envelope(
        500,
        '500.001.1001',
        'Unable to lock subscriber, a transaction is already in process for the current subscriber',
      );
    }
    let plan = planFor(phone, this.defaultPlan);
    if (plan.kind === 'push500') return envelope(500, '500.003.1001', 'Internal Server Error');
    // Rule 17: the same amount to the same customer within two minutes.
    if (recent.some((t) => t.amount === amountNum && now.getTime() - t.createdAt.getTime() < 120_000)) {
      plan = { kind: 'result', code: 17 };
    }
    // Wrong product assignment is only found out after the push is accepted, as on Daraja.
    if (type === 'CustomerPayBillOnline' && partyB !== merchant.shortcode)
      plan = { kind: 'result', code: 2028 };
    if (type === 'CustomerBuyGoodsOnline' && !(merchant.tills ?? []).includes(partyB)) {
      plan = { kind: 'result', code: 'SFC_IC0003' };
    }

    let checkout = ids.checkoutRequestId(now, phone);
    for (let i = 1; this.txns.has(checkout); i++) {
      checkout = ids.checkoutRequestId(new Date(now.getTime() + i), phone);
    }
    const txn: StkTxn = {
      checkoutRequestId: checkout,
      merchantRequestId: ids.merchantRequestId(),
      app,
      shortcode: merchant.shortcode,
      partyB,
      transactionType: type,
      phone,
      amount: amountNum,
      accountReference: ref,
      description: desc,
      callbackUrl: url,
      createdAt: now,
      plan,
      state: 'pending',
      resultCode: null,
      resultDesc: null,
      receipt: null,
      finishedAt: null,
      lagLeft: this.faults.lagQueries,
      callbacksSent: 0,
    };
    this.txns.set(checkout, txn);
    recent.push(txn);
    this.byPhone.set(
      phone,
      recent.filter((t) => t.state === 'pending' || now.getTime() - t.createdAt.getTime() < 180_000),
    );

    if (plan.kind === 'result') this.later(this.autoDelayMs, () => this.finish(txn, plan.code, true));
    else if (plan.kind === 'lost') this.later(this.autoDelayMs, () => this.finish(txn, 0, false));
    else this.later(this.promptTimeoutMs, () => this.finish(txn, 1037, true));

    return {
      status: 200,
      body: {
        MerchantRequestID: txn.merchantRequestId,
        CheckoutRequestID: checkout,
        ResponseCode: '0',
        ResponseDescription: 'Success. Request accepted for processing',
        CustomerMessage: 'Success. Request accepted for processing',
      },
    };
  }

  /** Prompts waiting for a person (the phone page). */
  prompts(phone?: string): StkTxn[] {
    return [...this.txns.values()]
      .filter((t) => t.state === 'pending' && t.plan.kind === 'manual' && (!phone || t.phone === phone))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  recent(limit = 10, phone?: string): StkTxn[] {
    return [...this.txns.values()]
      .filter((t) => t.state === 'final' && (!phone || t.phone === phone))
      .sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime())
      .slice(0, limit);
  }

  /** A person acted on a prompt. False if it is no longer waiting. */
  act(checkoutRequestId: string, action: PhoneAction): boolean {
    const t = this.txns.get(checkoutRequestId);
    if (t?.state !== 'pending') return false;
    this.finish(t, ACTION_CODES[action], true);
    return true;
  }

  /** End a pending push now with a result (tests). */
  resolve(checkoutRequestId: string, code: number | string, sendCallback = true): boolean {
    const t = this.txns.get(checkoutRequestId);
    if (t?.state !== 'pending') return false;
    this.finish(t, code, sendCallback);
    return true;
  }

  private finish(t: StkTxn, code: number | string, sendCallback: boolean): void {
    if (t.state !== 'pending' || this.closed) return;
    t.state = 'final';
    t.finishedAt = this.now();
    t.resultCode = code;
    t.resultDesc = RESULT_DESC[String(code)] ?? 'Request failed';
    if (code === 0) {
      t.receipt = ids.receiptNumber(t.finishedAt);
      this.ledger.set(t.receipt, {
        receipt: t.receipt,
        shortcode: t.transactionType === 'CustomerBuyGoodsOnline' ? t.partyB : t.shortcode,
        amount: t.amount,
        phone: t.phone,
        billRef: t.accountReference,
        at: t.finishedAt,
        type: t.transactionType === 'CustomerBuyGoodsOnline' ? 'Buy Goods' : 'Pay Bill',
      });
    }
    if (sendCallback) this.deliver(t.callbackUrl, 'stk', t.checkoutRequestId, this.stkCallbackBody(t));
    if (code === 0 && this.faults.stkAlsoC2b && t.transactionType === 'CustomerPayBillOnline') {
      const reg = this.c2b.get(t.shortcode);
      if (reg) {
        const body = this.c2bBody(reg, {
          transId: t.receipt!,
          amount: t.amount,
          phone: t.phone,
          shortCode: t.shortcode,
          billRef: t.accountReference,
          type: 'Pay Bill',
        });
        this.deliver(reg.confirmationUrl, 'c2b_confirmation', t.receipt!, {
          ...body,
          OrgAccountBalance: '0.00',
        });
      }
    }
  }

  /** The callback exactly as documented: metadata only on success, Balance without Value. */
  stkCallbackBody(t: StkTxn): unknown {
    const cb: Record<string, unknown> = {
      MerchantRequestID: t.merchantRequestId,
      CheckoutRequestID: t.checkoutRequestId,
      ResultCode: typeof t.resultCode === 'number' ? t.resultCode : t.resultCode,
      ResultDesc: t.resultDesc,
    };
    if (t.resultCode === 0) {
      cb.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: t.amount },
          { Name: 'MpesaReceiptNumber', Value: t.receipt },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: Number(darajaTimestamp(t.finishedAt!)) },
          { Name: 'PhoneNumber', Value: Number(t.phone) },
        ],
      };
    }
    return { Body: { stkCallback: cb } };
  }

  // ---- STK query ---------------------------------------------------------------------------

  stkQuery(app: string, b: Record<string, unknown>): SimReply {
    this.stats.queries++;
    if (this.faults.queryLimit) {
      const { max, windowMs } = this.faults.queryLimit;
      const now = this.now().getTime();
      const times = (this.queryTimes.get(app) ?? []).filter((t) => now - t < windowMs);
      if (times.length >= max) {
        this.stats.rateLimited++;
        this.queryTimes.set(app, times);
        // The API gateway answers this, not Daraja: a different body shape.
        return {
          status: 429,
          headers: { 'retry-after': String(Math.ceil((windowMs - (now - times[0]!)) / 1000)) },
          body: {
            fault: {
              faultstring:
                'Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod=5, periodInMicroseconds=60000000}',
              detail: { errorcode: 'policies.ratelimit.SpikeArrestViolation' },
            },
          },
        };
      }
      times.push(now);
      this.queryTimes.set(app, times);
    }
    const merchant = this.checkCredentials(b);
    if ('status' in merchant) return merchant;
    const t = this.txns.get(String(b.CheckoutRequestID ?? ''));
    if (!t || t.shortcode !== merchant.shortcode) return badRequest('CheckoutRequestID');
    if (this.random() < this.faults.query500Rate)
      return envelope(500, '500.003.1001', 'Internal Server Error');
    if (t.state === 'pending' && t.plan.kind === 'slow4999') {
      return { status: 200, body: this.queryBody(t, '4999', 'The transaction is still under processing') };
    }
    if (t.state === 'pending' || t.lagLeft > 0) {
      if (t.state === 'final') t.lagLeft--;
      return envelope(500, '500.001.1001', 'The transaction is being processed');
    }
    let code = String(t.resultCode);
    if (code === '0' && this.random() < this.faults.queryLiesRate) code = '1032';
    return { status: 200, body: this.queryBody(t, code, RESULT_DESC[code] ?? t.resultDesc ?? '') };
  }

  private queryBody(t: StkTxn, code: string, desc: string) {
    return {
      // The real answer carries this typo.
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: t.merchantRequestId,
      CheckoutRequestID: t.checkoutRequestId,
      ResultCode: code,
      ResultDesc: desc,
    };
  }

  // ---- C2B ---------------------------------------------------------------------------------

  registerUrls(_app: string, b: Record<string, unknown>, version: 'v1' | 'v2'): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    const known = this.merchants.some(
      (m) => m.shortcode === shortCode || (m.tills ?? []).includes(shortCode),
    );
    if (!known) return badRequest('ShortCode');
    const responseType = b.ResponseType;
    if (responseType !== 'Completed' && responseType !== 'Cancelled') return badRequest('ResponseType');
    for (const [field, v] of [
      ['ConfirmationURL', b.ConfirmationURL],
      ['ValidationURL', b.ValidationURL],
    ] as const) {
      if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v)) return badRequest(field);
      const word = forbiddenUrlWord(v);
      if (word)
        return envelope(
          400,
          '400.002.02',
          `Bad Request - Invalid ${field} - URL has the word ${word.toUpperCase()}`,
        );
    }
    this.c2b.set(shortCode, {
      confirmationUrl: b.ConfirmationURL as string,
      validationUrl: b.ValidationURL as string,
      responseType,
      version,
    });
    return {
      status: 200,
      // Daraja's key really is misspelled.
      body: {
        OriginatorCoversationID: ids.conversationId(),
        ResponseCode: '0',
        ResponseDescription: 'Success',
      },
    };
  }

  c2bSimulate(_app: string, b: Record<string, unknown>): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    const command = String(b.CommandID ?? '');
    if (command !== 'CustomerPayBillOnline' && command !== 'CustomerBuyGoodsOnline')
      return badRequest('CommandID');
    const amount = typeof b.Amount === 'string' ? Number(b.Amount) : b.Amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) return badRequest('Amount');
    const phone = String(b.Msisdn ?? '');
    if (!PHONE.test(phone)) return badRequest('Msisdn');
    const known = this.merchants.some(
      (m) => m.shortcode === shortCode || (m.tills ?? []).includes(shortCode),
    );
    if (!known) return badRequest('ShortCode');
    const billRef = command === 'CustomerPayBillOnline' ? String(b.BillRefNumber ?? '') : '';
    this.runC2b({
      shortCode,
      amount,
      phone,
      billRef,
      type: command === 'CustomerPayBillOnline' ? 'Pay Bill' : 'Buy Goods',
      transId: ids.receiptNumber(this.now()),
    });
    return {
      status: 200,
      body: {
        OriginatorCoversationID: ids.conversationId(),
        ResponseCode: '0',
        ResponseDescription: 'Accept the service request successfully.',
      },
    };
  }

  private c2bBody(
    reg: C2bRegistration,
    p: { transId: string; amount: number; phone: string; shortCode: string; billRef: string; type: string },
  ): Record<string, string> {
    // v2 masks the number, v1 hashes it: either way it cannot identify the customer.
    const msisdn =
      reg.version === 'v2'
        ? `${p.phone.slice(0, 4)} ***** ${p.phone.slice(-3)}`
        : createHash('sha256').update(p.phone).digest('hex');
    return {
      TransactionType: p.type,
      TransID: p.transId,
      TransTime: darajaTimestamp(this.now()),
      TransAmount: `${p.amount}.00`,
      BusinessShortCode: p.shortCode,
      BillRefNumber: p.billRef,
      InvoiceNumber: '',
      OrgAccountBalance: '',
      ThirdPartyTransID: '',
      MSISDN: msisdn,
      FirstName: 'JOHN',
      MiddleName: '',
      LastName: '',
    };
  }

  private runC2b(p: {
    shortCode: string;
    amount: number;
    phone: string;
    billRef: string;
    type: string;
    transId: string;
  }) {
    this.ledger.set(p.transId, {
      receipt: p.transId,
      shortcode: p.shortCode,
      amount: p.amount,
      phone: p.phone,
      billRef: p.billRef,
      at: this.now(),
      type: p.type === 'Buy Goods' ? 'Buy Goods' : 'Pay Bill',
    });
    const reg = this.c2b.get(p.shortCode);
    if (!reg) return; // no URLs registered: the payment completes silently
    const body = this.c2bBody(reg, p);
    const task = (async () => {
      let proceed = reg.responseType === 'Completed';
      try {
        const res = await fetch(reg.validationUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.validationTimeoutMs),
        });
        const j = (await res.json().catch(() => null)) as { ResultCode?: unknown } | null;
        this.deliveries.push({
          at: this.now(),
          url: reg.validationUrl,
          kind: 'c2b_validation',
          id: p.transId,
          status: 'sent',
          httpStatus: res.status,
        });
        if (res.ok && j && j.ResultCode !== undefined) proceed = String(j.ResultCode) === '0';
      } catch {
        this.deliveries.push({
          at: this.now(),
          url: reg.validationUrl,
          kind: 'c2b_validation',
          id: p.transId,
          status: 'failed',
        });
      }
      if (!proceed || this.closed) return;
      if (this.random() < this.faults.c2bDropRate) {
        this.stats.dropped++;
        this.deliveries.push({
          at: this.now(),
          url: reg.confirmationUrl,
          kind: 'c2b_confirmation',
          id: p.transId,
          status: 'dropped',
        });
        return;
      }
      this.deliver(reg.confirmationUrl, 'c2b_confirmation', p.transId, {
        ...body,
        OrgAccountBalance: `${p.amount}.00`,
      });
    })();
    this.track(task);
  }

  // ---- Pull Transactions -------------------------------------------------------------------

  private readonly pullRegistered = new Set<string>();

  pullRegister(_app: string, b: Record<string, unknown>): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    if (!this.merchants.some((m) => m.shortcode === shortCode || (m.tills ?? []).includes(shortCode)))
      return badRequest('ShortCode');
    if (b.RequestType !== 'Pull') return badRequest('RequestType');
    if (!/^https?:\/\//.test(String(b.CallBackURL ?? ''))) return badRequest('CallBackURL');
    this.pullRegistered.add(shortCode);
    return {
      status: 200,
      body: {
        ResponseRefID: ids.conversationId(),
        ResponseStatus: '1000',
        ShortCode: shortCode,
        ResponseDescription: 'Shortcode Registered Successfully',
      },
    };
  }

  /** C2B payments to a registered shortcode in [StartDate, EndDate] (EAT), 100 per page. */
  pullQuery(_app: string, b: Record<string, unknown>): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    if (!this.pullRegistered.has(shortCode))
      return envelope(400, '400.002.02', 'Bad Request - ShortCode is not registered for Pull');
    const parse = (v: unknown) => {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(v ?? ''));
      return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 3 * 3_600_000 : null;
    };
    const from = parse(b.StartDate);
    const to = parse(b.EndDate);
    if (from === null) return badRequest('StartDate');
    if (to === null || to < from) return badRequest('EndDate');
    const offset = Number(b.OffSetValue ?? 0);
    const rows = [...this.ledger.values()]
      .filter((e) => e.shortcode === shortCode && e.at.getTime() >= from && e.at.getTime() <= to)
      .sort((x, y) => x.at.getTime() - y.at.getTime())
      .slice(offset, offset + 100);
    if (rows.length === 0)
      return {
        status: 200,
        body: {
          ResponseRefID: ids.conversationId(),
          ResponseCode: '1001',
          ResponseMessage: 'No transactions found',
        },
      };
    return {
      status: 200,
      body: {
        ResponseRefID: ids.conversationId(),
        ResponseCode: '1000',
        ResponseMessage: 'Success',
        Response: [
          rows.map((e) => ({
            transactionId: e.receipt,
            trxDate: e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            msisdn: Number(e.phone),
            sender: 'UNKNOWN',
            transactiontype: e.type === 'Buy Goods' ? 'c2b-buy-goods-debit' : 'c2b-pay-bill-debit',
            billreference: e.billRef,
            amount: String(e.amount),
            organizationname: 'WIFI SHOP',
          })),
        ],
      },
    };
  }

  // ---- Transaction Status --------------------------------------------------------------------

  /**
   * `TransactionStatusQuery`: answered at once with the ids, the result POSTed later. A wrong
   * initiator or a credential that does not decrypt to its password gives ResultCode 2001; an
   * unknown receipt gives a non-zero result without parameters.
   */
  transactionStatus(_app: string, b: Record<string, unknown>): SimReply {
    if (b.CommandID !== 'TransactionStatusQuery') return badRequest('CommandID');
    const partyA = String(b.PartyA ?? '');
    if (!/^\d{5,7}$/.test(partyA)) return badRequest('PartyA');
    if (String(b.IdentifierType ?? '') !== '4') return badRequest('IdentifierType');
    const txId = String(b.TransactionID ?? '');
    if (!/^[A-Z0-9]{10}$/.test(txId)) return badRequest('TransactionID');
    const resultUrl = String(b.ResultURL ?? '');
    const timeoutUrl = String(b.QueueTimeOutURL ?? '');
    if (!/^https?:\/\//.test(resultUrl)) return badRequest('ResultURL');
    if (!/^https?:\/\//.test(timeoutUrl)) return badRequest('QueueTimeOutURL');
    const conversationId = `AG_${darajaTimestamp(this.now()).slice(0, 8)}_${randomBytes(10).toString('hex')}`;
    const originatorConversationId = ids.conversationId();
    const head = {
      ResultType: 0,
      OriginatorConversationID: originatorConversationId,
      ConversationID: conversationId,
      TransactionID: ids.receiptNumber(this.now()),
    };
    let body: unknown;
    if (this.faults.statusQueueTimeout) {
      body = {
        Result: { ...head, ResultType: 1, ResultCode: 1, ResultDesc: 'The request timed out in the queue.' },
      };
    } else if (!this.initiatorOk(partyA, String(b.Initiator ?? ''), String(b.SecurityCredential ?? ''))) {
      body = { Result: { ...head, ResultCode: 2001, ResultDesc: 'The initiator information is invalid.' } };
    } else {
      const e = this.ledger.get(txId);
      body = e
        ? {
            Result: {
              ...head,
              ResultCode: 0,
              ResultDesc: 'The service request is processed successfully.',
              ResultParameters: {
                ResultParameter: [
                  { Key: 'DebitPartyName', Value: `${e.phone} - JOHN DOE` },
                  { Key: 'CreditPartyName', Value: `${e.shortcode} - WIFI SHOP` },
                  { Key: 'OriginatorConversationID', Value: originatorConversationId },
                  { Key: 'InitiatedTime', Value: Number(darajaTimestamp(e.at)) },
                  { Key: 'DebitAccountType', Value: 'MMF Account For Customer' },
                  { Key: 'DebitPartyCharges', Value: '' },
                  { Key: 'TransactionReason', Value: '' },
                  { Key: 'ReasonType', Value: `${e.type} Online` },
                  { Key: 'TransactionStatus', Value: 'Completed' },
                  { Key: 'FinalisedTime', Value: Number(darajaTimestamp(e.at)) },
                  { Key: 'Amount', Value: e.amount },
                  { Key: 'ConversationID', Value: conversationId },
                  { Key: 'ReceiptNo', Value: e.receipt },
                ],
              },
              ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: String(b.Occasion ?? '') } },
            },
          }
        : // Simulator's choice for an unknown receipt (the docs give no code for it).
          { Result: { ...head, ResultCode: 'R000002', ResultDesc: 'The OriginalTransactionID is invalid.' } };
    }
    const url = this.faults.statusQueueTimeout ? timeoutUrl : resultUrl;
    const send = () => this.deliver(url, 'transaction_status', conversationId, body);
    if (this.faults.statusResultDelayMs > 0) this.later(this.faults.statusResultDelayMs, send);
    else send();
    return {
      status: 200,
      body: {
        OriginatorConversationID: originatorConversationId,
        ConversationID: conversationId,
        ResponseCode: '0',
        ResponseDescription: 'Accept the service request successfully.',
      },
    };
  }

  private initiatorOk(shortcode: string, name: string, credential: string): boolean {
    const who = this.initiators.find((i) => i.shortcode === shortcode && i.name === name);
    if (!who) return false;
    try {
      // Node refuses PKCS #1 v1.5 private decryption (CVE-2023-46809, a timing oracle that does
      // not matter to a simulator), so the raw block is decrypted and its padding read by hand:
      // 00 02 <non-zero random> 00 <message>.
      const block = privateDecrypt(
        { key: SIM_PRIVATE_KEY, padding: constants.RSA_NO_PADDING },
        Buffer.from(credential, 'base64'),
      );
      if (block[0] !== 0 || block[1] !== 2) return false;
      const sep = block.indexOf(0, 2);
      if (sep < 10) return false;
      return block.subarray(sep + 1).toString('utf8') === who.password;
    } catch {
      return false;
    }
  }

  // ---- delivery ----------------------------------------------------------------------------

  private delay(): number {
    const [lo, hi] = this.faults.callbackDelayMs;
    return Math.round(lo + this.random() * Math.max(0, hi - lo));
  }

  private deliver(url: string, kind: Delivery['kind'], id: string, body: unknown): void {
    if (this.random() < this.faults.dropRate) {
      this.stats.dropped++;
      this.deliveries.push({ at: this.now(), url, kind, id, status: 'dropped' });
      return;
    }
    const copies = this.random() < this.faults.duplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      this.pendingDeliveries++;
      this.later(this.delay(), () =>
        this.track(
          this.post(url, kind, id, body).finally(() => {
            this.pendingDeliveries--;
          }),
        ),
      );
    }
  }

  private async post(url: string, kind: Delivery['kind'], id: string, body: unknown): Promise<void> {
    this.stats.callbacks++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => {});
      this.deliveries.push({ at: this.now(), url, kind, id, status: 'sent', httpStatus: res.status });
    } catch {
      this.stats.failed++;
      this.deliveries.push({ at: this.now(), url, kind, id, status: 'failed' });
    }
    if (this.deliveries.length > 5_000) this.deliveries.splice(0, 1_000);
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    p.finally(() => this.inflight.delete(p)).catch(() => {});
  }

  /** Wait until no callback is scheduled or in flight (tests). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.timers.size > 0 || this.inflight.size > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Wait until automatic results are in and every scheduled callback has been sent (tests). */
  async flush(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const busy = () =>
      this.pendingDeliveries > 0 ||
      this.inflight.size > 0 ||
      [...this.txns.values()].some(
        (t) => t.state === 'pending' && (t.plan.kind === 'result' || t.plan.kind === 'lost'),
      );
    while (busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
