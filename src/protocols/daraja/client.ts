/**
 * The Daraja client: OAuth token cache, STK push, STK query, C2B URL registration (and C2B
 * simulate, sandbox only). Pure wire code: no database, no business rules; every call has a
 * timeout and returns a typed result instead of throwing.
 *
 * Tokens: Daraja's FAQ says each token request invalidates the previous one, so there is one token
 * per app. Refreshes are single-flight and happen a few minutes before expiry; a call answered
 * `Invalid Access Token` refreshes once and retries once. A `TokenStore` lets several nodes share
 * the token (otherwise each node's refresh would revoke the others').
 */
import { classifyError, type DarajaError, type ErrorEnvelope, isBeingProcessed } from './errors.ts';
import { darajaTimestamp, stkPassword } from './time.ts';
import { callbackUrlProblem } from './url-rules.ts';

export interface DarajaClientOptions {
  /** A function is read at every call (the demo learns its own port only after listening). */
  baseUrl: string | (() => string);
  consumerKey: string;
  consumerSecret: string;
  /** Paybill number, or the store (head office) number for a Till. */
  shortcode: string;
  passkey: string;
  type: 'paybill' | 'till';
  till?: string | undefined;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Refresh this long before the token expires. */
  refreshMarginMs?: number;
  now?: () => Date;
  tokenStore?: TokenStore;
}

export interface CachedToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Where the one token of the app lives; in memory by default, shared storage for many nodes. */
export interface TokenStore {
  /** `fresh`: skip any cache (asked after Daraja rejected the token we had). */
  get(o?: { fresh?: boolean }): Promise<CachedToken | null>;
  set(t: CachedToken): Promise<void>;
  /**
   * Run a token refresh while no other node runs one. Every token fetched revokes the one before,
   * so two nodes refreshing at once (a cold start, the hourly renewal) would each revoke the
   * other's; under this lock the second one finds the first one's token and keeps it.
   */
  exclusive?<T>(run: () => Promise<T>): Promise<T>;
}

export function memoryTokenStore(): TokenStore {
  let cur: CachedToken | null = null;
  return {
    get: async () => cur,
    set: async (t) => {
      cur = t;
    },
  };
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: DarajaError };

export interface StkPushInput {
  amountKes: number;
  /** 2547XXXXXXXX / 2541XXXXXXXX */
  phone: string;
  callbackUrl: string;
  /** Shown in the prompt; sanitised to ≤12 letters/digits. */
  accountReference: string;
  /** Sanitised to ≤13 characters; never empty. */
  description: string;
}

export type StkPushResult = Result<{
  merchantRequestId: string;
  checkoutRequestId: string;
  responseCode: string;
  customerMessage: string;
}>;

/** `pending` covers both `500.001.1001 being processed` and the transient ResultCode 4999. */
export type StkQueryResult = Result<
  | { state: 'pending'; resultCode: string | null; resultDesc: string }
  | { state: 'final'; resultCode: string; resultDesc: string; merchantRequestId: string | null }
>;

export type C2bRegisterResult = Result<{ responseDescription: string }>;

export interface TransactionStatusInput {
  initiator: string;
  securityCredential: string;
  /** The M-Pesa receipt asked about. */
  transactionId: string;
  /** Our shortcode (IdentifierType 4: organisation shortcode). */
  partyA: string;
  resultUrl: string;
  queueTimeOutUrl: string;
  remarks?: string;
  occasion?: string;
}

/** One C2B payment as Pull Transactions lists it. */
export interface PulledTransaction {
  transactionId: string;
  amountKes: number | null;
  billReference: string;
  msisdn: string;
  /** Epoch ms, when Daraja gave a date. */
  at: number | null;
}

export type PullQueryResult = Result<{ transactions: PulledTransaction[] }>;

/** "YYYY-MM-DD HH:mm:ss" in East Africa Time, the form Pull Transactions takes. */
export function pullDate(at: Date): string {
  return new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Accepted for processing: the answer comes later, to ResultURL, under these ids. */
export type TransactionStatusAck = Result<{ conversationId: string; originatorConversationId: string }>;

export interface DarajaClient {
  stkPush(input: StkPushInput): Promise<StkPushResult>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryResult>;
  registerC2bUrls(input: {
    confirmationUrl: string;
    validationUrl: string;
    responseType?: 'Completed' | 'Cancelled';
    shortCode?: string;
  }): Promise<C2bRegisterResult>;
  /** Sandbox (and simulator) only: make a customer pay the Paybill/Till by hand. */
  c2bSimulate(input: {
    amountKes: number;
    phone: string;
    billRefNumber: string;
    shortCode?: string;
  }): Promise<Result<{ responseDescription: string }>>;
  /** Transaction Status: ask M-Pesa about a receipt; the result is POSTed to resultUrl. */
  transactionStatus(input: TransactionStatusInput): Promise<TransactionStatusAck>;
  /** Pull Transactions: register the shortcode once (production shortcodes). */
  pullRegister(input: {
    nominatedNumber: string;
    callbackUrl: string;
  }): Promise<Result<{ description: string }>>;
  /** Pull Transactions: the C2B payments to our shortcode between two times (page `offset`). */
  pullQuery(input: { from: Date; to: Date; offset?: number }): Promise<PullQueryResult>;
  /** Current token, fetching one if needed (exposed for diagnostics and tests). */
  token(): Promise<Result<{ token: string }>>;
}

/** Letters, digits and spaces only (Daraja chokes on `@ # &` and friends), cut to `max`. */
export function sanitizeText(s: string, max: number, fallback: string): string {
  const clean = s
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
  return clean || fallback.slice(0, max);
}

/** The MSISDN form Daraja accepts: 2547XXXXXXXX or 2541XXXXXXXX. */
const MSISDN = /^254[17]\d{8}$/;

const localError = (field: string, message: string): { ok: false; error: DarajaError } => ({
  ok: false,
  error: { kind: 'bad_request', errorCode: 'local', message, field },
});

export function createDarajaClient(o: DarajaClientOptions): DarajaClient {
  const baseOf = () => (typeof o.baseUrl === 'function' ? o.baseUrl() : o.baseUrl).replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 15_000;
  const margin = o.refreshMarginMs ?? 5 * 60_000;
  const now = o.now ?? (() => new Date());
  const store = o.tokenStore ?? memoryTokenStore();
  let inflight: Promise<Result<{ token: string }>> | null = null;

  async function http(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<
    { ok: true; status: number; json: any; retryAfter: string | null } | { ok: false; error: DarajaError }
  > {
    try {
      const res = await fetch(`${baseOf()}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let json: any = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { ok: true, status: res.status, json, retryAfter: res.headers.get('retry-after') };
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return {
          ok: false,
          error: { kind: 'timeout', errorCode: 'timeout', message: `no answer in ${timeoutMs} ms` },
        };
      }
      return { ok: false, error: { kind: 'network', errorCode: 'network', message: (e as Error).message } };
    }
  }

  async function fetchToken(): Promise<Result<{ token: string }>> {
    const basic = Buffer.from(`${o.consumerKey}:${o.consumerSecret}`).toString('base64');
    const r = await http('GET', '/oauth/v1/generate?grant_type=client_credentials', {
      authorization: `Basic ${basic}`,
    });
    if (!r.ok) return r;
    const tok = r.json?.access_token;
    // expires_in is the string "3599" in real answers and a number on the newest docs page.
    const expiresIn = Number(r.json?.expires_in);
    if (r.status !== 200 || typeof tok !== 'string' || !tok) {
      return { ok: false, error: classifyError(r.status, r.json as ErrorEnvelope, r.retryAfter) };
    }
    const life = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_599_000;
    await store.set({ token: tok, expiresAt: now().getTime() + life });
    return { ok: true, token: tok };
  }

  /**
   * Single-flight in this process, and one node at a time across nodes (`store.exclusive`). A token
   * stored meanwhile by someone else is taken instead of fetching (and so revoking) it, unless it
   * is `stale`: the one Daraja just refused.
   */
  function refresh(stale?: string): Promise<Result<{ token: string }>> {
    const exclusive = store.exclusive?.bind(store) ?? (<T>(run: () => Promise<T>) => run());
    inflight ??= exclusive(async (): Promise<Result<{ token: string }>> => {
      const cur = await store.get({ fresh: true });
      if (cur && cur.token !== stale && cur.expiresAt - margin > now().getTime()) {
        return { ok: true, token: cur.token };
      }
      return fetchToken();
    }).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function token(): Promise<Result<{ token: string }>> {
    const cur = await store.get();
    if (cur && cur.expiresAt - margin > now().getTime()) return { ok: true, token: cur.token };
    return refresh();
  }

  /** An authorised POST; on `Invalid Access Token` fetch a new token once and retry once. */
  async function call(path: string, body: unknown) {
    const t = await token();
    if (!t.ok) return t;
    const first = await http('POST', path, { authorization: `Bearer ${t.token}` }, body);
    if (!first.ok || first.status < 400) return first;
    if (classifyError(first.status, first.json, first.retryAfter).kind !== 'invalid_token') return first;
    // Another node (or process) may already have replaced the token; refresh() uses theirs if so.
    const r = await refresh(t.token);
    if (!r.ok) return r;
    return http('POST', path, { authorization: `Bearer ${r.token}` }, body);
  }

  function credentials() {
    const timestamp = darajaTimestamp(now());
    return {
      BusinessShortCode: o.shortcode,
      Password: stkPassword(o.shortcode, o.passkey, timestamp),
      Timestamp: timestamp,
    };
  }

  return {
    token,

    async stkPush(input) {
      if (!Number.isSafeInteger(input.amountKes) || input.amountKes < 1 || input.amountKes > 250_000) {
        return localError('Amount', 'Amount must be a whole number of shillings from 1 to 250,000');
      }
      if (!MSISDN.test(input.phone))
        return localError('PhoneNumber', 'Phone must be 2547XXXXXXXX or 2541XXXXXXXX');
      const urlProblem = callbackUrlProblem(input.callbackUrl);
      if (urlProblem) return localError('CallBackURL', `CallBackURL ${urlProblem}`);
      const till = o.type === 'till';
      if (till && !o.till) return localError('PartyB', 'A Till number is required for Buy Goods');
      const r = await call('/mpesa/stkpush/v1/processrequest', {
        ...credentials(),
        TransactionType: till ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline',
        Amount: input.amountKes,
        PartyA: input.phone,
        PartyB: till ? o.till : o.shortcode,
        PhoneNumber: input.phone,
        CallBackURL: input.callbackUrl,
        AccountReference: sanitizeText(input.accountReference, 12, 'WiFi'),
        TransactionDesc: sanitizeText(input.description, 13, 'WiFi'),
      });
      if (!r.ok) return r;
      const j = r.json ?? {};
      if (r.status === 200 && String(j.ResponseCode) === '0' && typeof j.CheckoutRequestID === 'string') {
        return {
          ok: true,
          merchantRequestId: String(j.MerchantRequestID ?? ''),
          checkoutRequestId: j.CheckoutRequestID,
          responseCode: '0',
          customerMessage: String(j.CustomerMessage ?? ''),
        };
      }
      if (r.status === 200) {
        return {
          ok: false,
          error: {
            kind: 'unexpected',
            errorCode: String(j.ResponseCode ?? 'unknown'),
            message: String(j.ResponseDescription ?? 'push not accepted'),
            status: 200,
          },
        };
      }
      return { ok: false, error: classifyError(r.status, j, r.retryAfter) };
    },

    async stkQuery(checkoutRequestId) {
      const r = await call('/mpesa/stkpushquery/v1/query', {
        ...credentials(),
        CheckoutRequestID: checkoutRequestId,
      });
      if (!r.ok) return r;
      const j = r.json ?? {};
      if (isBeingProcessed(r.status, j)) {
        return { ok: true, state: 'pending', resultCode: null, resultDesc: String(j.errorMessage) };
      }
      if (r.status === 200 && j.ResultCode !== undefined && j.ResultCode !== null) {
        const code = String(j.ResultCode).trim();
        const desc = String(j.ResultDesc ?? '');
        // 4999 is a transient "still processing" seen on the sandbox: never a final answer.
        if (code === '4999') return { ok: true, state: 'pending', resultCode: code, resultDesc: desc };
        return {
          ok: true,
          state: 'final',
          resultCode: code,
          resultDesc: desc,
          merchantRequestId: j.MerchantRequestID ? String(j.MerchantRequestID) : null,
        };
      }
      return { ok: false, error: classifyError(r.status, j, r.retryAfter) };
    },

    async registerC2bUrls(input) {
      for (const u of [input.confirmationUrl, input.validationUrl]) {
        const p = callbackUrlProblem(u);
        if (p) return localError('URL', `C2B URL ${p}`);
      }
      const r = await call('/mpesa/c2b/v2/registerurl', {
        ShortCode: input.shortCode ?? (o.type === 'till' ? o.till : o.shortcode),
        ResponseType: input.responseType ?? 'Completed',
        ConfirmationURL: input.confirmationUrl,
        ValidationURL: input.validationUrl,
      });
      if (!r.ok) return r;
      if (r.status === 200 && String(r.json?.ResponseCode) === '0') {
        return { ok: true, responseDescription: String(r.json?.ResponseDescription ?? '') };
      }
      return { ok: false, error: classifyError(r.status, r.json, r.retryAfter) };
    },

    async transactionStatus(input) {
      for (const u of [input.resultUrl, input.queueTimeOutUrl]) {
        const p = callbackUrlProblem(u);
        if (p) return localError('ResultURL', `Result URL ${p}`);
      }
      const r = await call('/mpesa/transactionstatus/v1/query', {
        Initiator: input.initiator,
        SecurityCredential: input.securityCredential,
        CommandID: 'TransactionStatusQuery',
        TransactionID: input.transactionId,
        OriginalConversationID: '',
        PartyA: input.partyA,
        IdentifierType: '4',
        ResultURL: input.resultUrl,
        QueueTimeOutURL: input.queueTimeOutUrl,
        Remarks: sanitizeText(input.remarks ?? 'Receipt check', 100, 'OK'),
        Occasion: sanitizeText(input.occasion ?? 'WiFi', 100, 'OK'),
      });
      if (!r.ok) return r;
      const j = r.json ?? {};
      if (r.status === 200 && String(j.ResponseCode) === '0' && j.ConversationID) {
        return {
          ok: true,
          conversationId: String(j.ConversationID),
          originatorConversationId: String(j.OriginatorConversationID ?? ''),
        };
      }
      return { ok: false, error: classifyError(r.status, j, r.retryAfter) };
    },

    async pullRegister(input) {
      const r = await call('/pulltransactions/v1/register', {
        ShortCode: o.type === 'till' && o.till ? o.till : o.shortcode,
        RequestType: 'Pull',
        NominatedNumber: input.nominatedNumber,
        CallBackURL: input.callbackUrl,
      });
      if (!r.ok) return r;
      const j = r.json ?? {};
      if (r.status === 200 && String(j.ResponseStatus ?? j.ResponseCode) === '1000') {
        return { ok: true, description: String(j.ResponseDescription ?? 'registered') };
      }
      return { ok: false, error: classifyError(r.status, j, r.retryAfter) };
    },

    async pullQuery(input) {
      const r = await call('/pulltransactions/v1/query', {
        ShortCode: o.type === 'till' && o.till ? o.till : o.shortcode,
        StartDate: pullDate(input.from),
        EndDate: pullDate(input.to),
        OffSetValue: String(input.offset ?? 0),
      });
      if (!r.ok) return r;
      const j = r.json ?? {};
      const code = String(j.ResponseCode ?? '');
      if (r.status === 200 && code === '1001') return { ok: true, transactions: [] };
      if (r.status !== 200 || code !== '1000')
        return { ok: false, error: classifyError(r.status, j, r.retryAfter) };
      // Response is a list of lists of rows in the documented sample; take the rows wherever they are.
      const rows: unknown[] = Array.isArray(j.Response) ? j.Response.flat(2) : [];
      const transactions: PulledTransaction[] = [];
      for (const row of rows) {
        const t = row as Record<string, unknown>;
        const id = String(t.transactionId ?? '')
          .trim()
          .toUpperCase();
        if (!/^[A-Z0-9]{10}$/.test(id)) continue;
        const amount = String(t.amount ?? '').trim();
        const at = Date.parse(String(t.trxDate ?? ''));
        transactions.push({
          transactionId: id,
          amountKes: /^\d+(\.0+)?$/.test(amount) ? Number.parseInt(amount, 10) : null,
          billReference: String(t.billreference ?? ''),
          msisdn: String(t.msisdn ?? ''),
          at: Number.isFinite(at) ? at : null,
        });
      }
      return { ok: true, transactions };
    },

    async c2bSimulate(input) {
      const till = o.type === 'till';
      const r = await call('/mpesa/c2b/v2/simulate', {
        ShortCode: input.shortCode ?? (till ? o.till : o.shortcode),
        CommandID: till ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline',
        Amount: input.amountKes,
        Msisdn: input.phone,
        BillRefNumber: till ? null : input.billRefNumber,
      });
      if (!r.ok) return r;
      if (r.status === 200 && String(r.json?.ResponseCode) === '0') {
        return { ok: true, responseDescription: String(r.json?.ResponseDescription ?? '') };
      }
      return { ok: false, error: classifyError(r.status, r.json, r.retryAfter) };
    },
  };
}
