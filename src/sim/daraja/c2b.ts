/**
 * C2B: URL registration, the simulate call, and the validation and confirmation a payment sends
 * to the registered URLs (validation first; the payment goes on unless it is refused).
 */
import { createHash } from 'node:crypto';
import { darajaTimestamp } from '../../protocols/daraja/time.ts';
import { forbiddenUrlWord } from '../../protocols/daraja/url-rules.ts';
import type { Courier } from './courier.ts';
import * as ids from './ids.ts';
import {
  badRequest,
  type C2bRegistration,
  envelope,
  knownShortcode,
  PHONE,
  type SimContext,
  type SimReply,
} from './types.ts';

export class C2bDesk {
  /** URLs registered per shortcode. */
  readonly registrations = new Map<string, C2bRegistration>();

  constructor(
    private readonly ctx: SimContext,
    private readonly courier: Courier,
    private readonly validationTimeoutMs: number,
  ) {}

  registerUrls(_app: string, b: Record<string, unknown>, version: 'v1' | 'v2'): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    const known = knownShortcode(this.ctx.merchants, shortCode);
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
    this.registrations.set(shortCode, {
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
    const known = knownShortcode(this.ctx.merchants, shortCode);
    if (!known) return badRequest('ShortCode');
    const billRef = command === 'CustomerPayBillOnline' ? String(b.BillRefNumber ?? '') : '';
    this.runC2b({
      shortCode,
      amount,
      phone,
      billRef,
      type: command === 'CustomerPayBillOnline' ? 'Pay Bill' : 'Buy Goods',
      transId: ids.receiptNumber(this.ctx.now()),
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

  c2bBody(
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
      TransTime: darajaTimestamp(this.ctx.now()),
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
    this.ctx.ledger.set(p.transId, {
      receipt: p.transId,
      shortcode: p.shortCode,
      amount: p.amount,
      phone: p.phone,
      billRef: p.billRef,
      at: this.ctx.now(),
      type: p.type === 'Buy Goods' ? 'Buy Goods' : 'Pay Bill',
    });
    const reg = this.registrations.get(p.shortCode);
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
        this.courier.deliveries.push({
          at: this.ctx.now(),
          url: reg.validationUrl,
          kind: 'c2b_validation',
          id: p.transId,
          status: 'sent',
          httpStatus: res.status,
        });
        if (res.ok && j && j.ResultCode !== undefined) proceed = String(j.ResultCode) === '0';
      } catch {
        this.courier.deliveries.push({
          at: this.ctx.now(),
          url: reg.validationUrl,
          kind: 'c2b_validation',
          id: p.transId,
          status: 'failed',
        });
      }
      if (!proceed || this.courier.closed) return;
      if (this.ctx.random() < this.ctx.faults.c2bDropRate) {
        this.ctx.stats.dropped++;
        this.courier.deliveries.push({
          at: this.ctx.now(),
          url: reg.confirmationUrl,
          kind: 'c2b_confirmation',
          id: p.transId,
          status: 'dropped',
        });
        return;
      }
      this.courier.deliver(reg.confirmationUrl, 'c2b_confirmation', p.transId, {
        ...body,
        OrgAccountBalance: `${p.amount}.00`,
      });
    })();
    this.courier.track(task);
  }
}
