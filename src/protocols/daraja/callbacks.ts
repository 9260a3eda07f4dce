/**
 * Parsing of what Daraja POSTs to us. Pure: no trust decisions here (the payments feature checks a
 * callback against the stored purchase). Items are read by Name, never by index; ResultCode is a
 * number in STK callbacks but may arrive as a string from look-alikes, so both are accepted.
 */
import { parseDarajaAmount } from './amount.ts';
import { parseDarajaTimestamp } from './time.ts';

export interface StkCallback {
  merchantRequestId: string | null;
  checkoutRequestId: string;
  /** As a string, the same space as STK Query's ResultCode. */
  resultCode: string;
  resultDesc: string;
  /** Only on success (ResultCode 0), from CallbackMetadata. */
  amountKes: number | null;
  /** Raw Amount when it was not a whole number of shillings (kept so a mismatch can be explained). */
  rawAmount: unknown;
  receipt: string | null;
  transactionDate: Date | null;
  phone: string | null;
}

/** Request ids are short printable ASCII ("ws_CO_260520211133524545"); anything else is not Daraja's. */
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
/** An M-Pesa receipt (MpesaReceiptNumber, TransID): 10 letters and digits today. */
const RECEIPT = /^[A-Z0-9]{6,20}$/;

/** `null` when the body is not an STK callback at all. */
export function parseStkCallback(body: unknown): StkCallback | null {
  const cb = (body as { Body?: { stkCallback?: Record<string, unknown> } } | null)?.Body?.stkCallback;
  if (!cb || typeof cb !== 'object') return null;
  const checkout = cb.CheckoutRequestID;
  const code = cb.ResultCode;
  if (typeof checkout !== 'string' || !REQUEST_ID.test(checkout)) return null;
  if (typeof code !== 'number' && typeof code !== 'string') return null;
  const items = (cb.CallbackMetadata as { Item?: unknown } | undefined)?.Item;
  const meta = new Map<string, unknown>();
  if (Array.isArray(items)) {
    for (const it of items) {
      if (it && typeof it === 'object' && typeof (it as { Name?: unknown }).Name === 'string') {
        // The Balance item usually has no Value at all; keep undefined for it.
        meta.set((it as { Name: string }).Name, (it as { Value?: unknown }).Value);
      }
    }
  }
  const rawAmount = meta.get('Amount');
  const rawReceipt = meta.get('MpesaReceiptNumber');
  const receipt = typeof rawReceipt === 'string' ? rawReceipt.trim().toUpperCase() : '';
  const phone = meta.get('PhoneNumber');
  const merchant = cb.MerchantRequestID;
  return {
    merchantRequestId: typeof merchant === 'string' && REQUEST_ID.test(merchant) ? merchant : null,
    checkoutRequestId: checkout,
    resultCode: String(code).trim(),
    resultDesc: typeof cb.ResultDesc === 'string' ? cb.ResultDesc : '',
    amountKes: rawAmount === undefined ? null : parseDarajaAmount(rawAmount),
    rawAmount,
    receipt: RECEIPT.test(receipt) ? receipt : null,
    transactionDate: parseDarajaTimestamp(meta.get('TransactionDate')),
    phone: typeof phone === 'number' || typeof phone === 'string' ? String(phone) : null,
  };
}

/** The C2B validation / confirmation body (same shape for both; every value is a string). */
export interface C2bNotification {
  transactionType: string;
  transId: string;
  transTime: Date | null;
  amountKes: number | null;
  rawAmount: string;
  shortCode: string;
  /** Customer-typed, untrusted. */
  billRefNumber: string;
  invoiceNumber: string;
  orgAccountBalance: string;
  thirdPartyTransId: string;
  /** Masked (v2 "2547 ***** 126") or hashed (v1); never a usable number. */
  msisdn: string;
  firstName: string;
}

export function parseC2bNotification(body: unknown): C2bNotification | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  // Values are strings (numbers from look-alikes); a nested object or array is no value at all.
  const s = (k: string) => {
    const v = b[k];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
  };
  const transId = s('TransID').toUpperCase();
  if (!RECEIPT.test(transId)) return null;
  const rawAmount = s('TransAmount');
  return {
    transactionType: s('TransactionType'),
    transId,
    transTime: parseDarajaTimestamp(s('TransTime')),
    amountKes: parseDarajaAmount(rawAmount === '' ? undefined : rawAmount),
    rawAmount,
    shortCode: s('BusinessShortCode'),
    billRefNumber: s('BillRefNumber'),
    invoiceNumber: s('InvoiceNumber'),
    orgAccountBalance: s('OrgAccountBalance'),
    thirdPartyTransId: s('ThirdPartyTransID'),
    msisdn: s('MSISDN'),
    firstName: s('FirstName'),
  };
}

/** What we answer Daraja on callbacks (it documents no body for STK; this is the convention). */
export const STK_ACK = { ResultCode: 0, ResultDesc: 'Accepted' } as const;
export const C2B_CONFIRM_ACK = { ResultCode: 0, ResultDesc: 'Success' } as const;
export const C2B_ACCEPT = { ResultCode: '0', ResultDesc: 'Accepted' } as const;
export type C2bRejectCode = 'C2B00011' | 'C2B00012' | 'C2B00013' | 'C2B00014' | 'C2B00015' | 'C2B00016';
export const c2bReject = (code: C2bRejectCode) => ({ ResultCode: code, ResultDesc: 'Rejected' });

/**
 * The Transaction Status result (POSTed to ResultURL, or to QueueTimeOutURL when M-Pesa gave up
 * queueing the request). ResultParameters is a Key/Value list; it is read by Key, never by index.
 */
export interface TransactionStatusResult {
  resultCode: string;
  resultDesc: string;
  conversationId: string | null;
  originatorConversationId: string | null;
  /** From ResultParameters (present only when ResultCode is 0). */
  receipt: string | null;
  /** "Completed", "Reversed", … */
  status: string | null;
  amountKes: number | null;
  /** "254708374149 - John Doe" on real answers; the number before " - ". */
  debitParty: string | null;
  /** "600782 - Shop": the shortcode that received the money. */
  creditParty: string | null;
}

export function parseTransactionStatusResult(body: unknown): TransactionStatusResult | null {
  const r = (body as { Result?: Record<string, unknown> } | null)?.Result;
  if (!r || typeof r !== 'object') return null;
  if (r.ResultCode === undefined || r.ResultCode === null) return null;
  const list = (r.ResultParameters as { ResultParameter?: unknown } | undefined)?.ResultParameter;
  // A single parameter is sometimes an object instead of a one-element list.
  const items = Array.isArray(list) ? list : list ? [list] : [];
  const get = (k: string): string | null => {
    const it = items.find((i) => (i as { Key?: unknown })?.Key === k) as { Value?: unknown } | undefined;
    return it?.Value === undefined || it.Value === null ? null : String(it.Value).trim();
  };
  const amount = get('Amount');
  const amountKes = amount !== null && /^\d+(\.0+)?$/.test(amount) ? Number.parseInt(amount, 10) : null;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    resultCode: String(r.ResultCode).trim(),
    resultDesc: String(r.ResultDesc ?? ''),
    conversationId: str(r.ConversationID),
    originatorConversationId: str(r.OriginatorConversationID),
    receipt: get('ReceiptNo'),
    status: get('TransactionStatus'),
    amountKes,
    debitParty: get('DebitPartyName'),
    creditParty: get('CreditPartyName'),
  };
}

/** What a result/time-out URL answers (Daraja reads nothing from it). */
export const RESULT_ACK = { ResultCode: 0, ResultDesc: 'Accepted' } as const;
