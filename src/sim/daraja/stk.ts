/**
 * STK push and STK query: the checks Daraja makes on a push, the outcome each one takes (a magic
 * phone, a person on the phone page, a timeout), the callback it ends with and what a query says
 * meanwhile.
 */
import { darajaTimestamp, stkPassword } from '../../protocols/daraja/time.ts';
import { forbiddenUrlWord } from '../../protocols/daraja/url-rules.ts';
import type { C2bDesk } from './c2b.ts';
import type { Courier } from './courier.ts';
import * as ids from './ids.ts';
import { ACTION_CODES, type PhoneAction, type Plan, planFor, RESULT_DESC } from './outcomes.ts';
import {
  badRequest,
  envelope,
  PHONE,
  type SimContext,
  type SimMerchant,
  type SimReply,
  type StkTxn,
} from './types.ts';

export interface StkOutcomes {
  /** Outcome for phones without a magic suffix: a person decides (demo) or an automatic result. */
  defaultPlan: Plan;
  /** Time from push to automatic result. */
  autoDelayMs: number;
  /** A prompt nobody answers ends with 1037 after this long. */
  promptTimeoutMs: number;
}

export class StkDesk {
  readonly txns = new Map<string, StkTxn>();
  private readonly byPhone = new Map<string, StkTxn[]>();
  private readonly queryTimes = new Map<string, number[]>();

  constructor(
    private readonly ctx: SimContext,
    private readonly courier: Courier,
    private readonly c2b: C2bDesk,
    /** Read at each push, so a test may change them between pushes. */
    readonly outcomes: StkOutcomes,
  ) {}

  private checkCredentials(b: Record<string, unknown>): SimMerchant | SimReply {
    const shortcode = String(b.BusinessShortCode ?? '');
    if (!/^\d{5,7}$/.test(shortcode)) return badRequest('BusinessShortCode');
    const ts = String(b.Timestamp ?? '');
    if (!/^\d{14}$/.test(ts)) return badRequest('Timestamp');
    const merchant = this.ctx.merchants.find((m) => m.shortcode === shortcode);
    if (!merchant) return envelope(500, '500.001.1001', 'Merchant does not exist');
    if (String(b.Password ?? '') !== stkPassword(shortcode, merchant.passkey, ts)) {
      return envelope(500, '500.001.1001', '[MerchantValidate] - Wrong credentials');
    }
    return merchant;
  }

  stkPush(app: string, b: Record<string, unknown>): SimReply {
    this.ctx.stats.pushes++;
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
    if (this.ctx.random() < this.ctx.faults.push500Rate)
      return envelope(500, '500.003.1001', 'Internal Server Error');

    const now = this.ctx.now();
    const recent = this.byPhone.get(phone) ?? [];
    if (recent.some((t) => t.state === 'pending')) {
      return envelope(
        500,
        '500.001.1001',
        'Unable to lock subscriber, a transaction is already in process for the current subscriber',
      );
    }
    let plan = planFor(phone, this.outcomes.defaultPlan);
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
      lagLeft: this.ctx.faults.lagQueries,
      callbacksSent: 0,
    };
    this.txns.set(checkout, txn);
    recent.push(txn);
    this.byPhone.set(
      phone,
      recent.filter((t) => t.state === 'pending' || now.getTime() - t.createdAt.getTime() < 180_000),
    );

    if (plan.kind === 'result')
      this.courier.later(this.outcomes.autoDelayMs, () => this.finish(txn, plan.code, true));
    else if (plan.kind === 'lost')
      this.courier.later(this.outcomes.autoDelayMs, () => this.finish(txn, 0, false));
    else this.courier.later(this.outcomes.promptTimeoutMs, () => this.finish(txn, 1037, true));

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
    if (t.state !== 'pending' || this.courier.closed) return;
    t.state = 'final';
    t.finishedAt = this.ctx.now();
    t.resultCode = code;
    t.resultDesc = RESULT_DESC[String(code)] ?? 'Request failed';
    if (code === 0) {
      t.receipt = ids.receiptNumber(t.finishedAt);
      this.ctx.ledger.set(t.receipt, {
        receipt: t.receipt,
        shortcode: t.transactionType === 'CustomerBuyGoodsOnline' ? t.partyB : t.shortcode,
        amount: t.amount,
        phone: t.phone,
        billRef: t.accountReference,
        at: t.finishedAt,
        type: t.transactionType === 'CustomerBuyGoodsOnline' ? 'Buy Goods' : 'Pay Bill',
      });
    }
    if (sendCallback)
      this.courier.deliver(t.callbackUrl, 'stk', t.checkoutRequestId, this.stkCallbackBody(t));
    if (code === 0 && this.ctx.faults.stkAlsoC2b && t.transactionType === 'CustomerPayBillOnline') {
      const reg = this.c2b.registrations.get(t.shortcode);
      if (reg) {
        const body = this.c2b.c2bBody(reg, {
          transId: t.receipt!,
          amount: t.amount,
          phone: t.phone,
          shortCode: t.shortcode,
          billRef: t.accountReference,
          type: 'Pay Bill',
        });
        this.courier.deliver(reg.confirmationUrl, 'c2b_confirmation', t.receipt!, {
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
    this.ctx.stats.queries++;
    if (this.ctx.faults.queryLimit) {
      const { max, windowMs } = this.ctx.faults.queryLimit;
      const now = this.ctx.now().getTime();
      const times = (this.queryTimes.get(app) ?? []).filter((t) => now - t < windowMs);
      if (times.length >= max) {
        this.ctx.stats.rateLimited++;
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
    if (this.ctx.random() < this.ctx.faults.query500Rate)
      return envelope(500, '500.003.1001', 'Internal Server Error');
    if (t.state === 'pending' && t.plan.kind === 'slow4999') {
      return { status: 200, body: this.queryBody(t, '4999', 'The transaction is still under processing') };
    }
    if (t.state === 'pending' || t.lagLeft > 0) {
      if (t.state === 'final') t.lagLeft--;
      return envelope(500, '500.001.1001', 'The transaction is being processed');
    }
    let code = String(t.resultCode);
    if (code === '0' && this.ctx.random() < this.ctx.faults.queryLiesRate) code = '1032';
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
}
