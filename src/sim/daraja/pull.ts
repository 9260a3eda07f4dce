/** Pull Transactions: a shortcode registers once, then asks for its C2B payments in a time window. */
import * as ids from './ids.ts';
import { badRequest, envelope, knownShortcode, type SimContext, type SimReply } from './types.ts';

export class PullDesk {
  private readonly registered = new Set<string>();

  constructor(private readonly ctx: SimContext) {}

  pullRegister(_app: string, b: Record<string, unknown>): SimReply {
    const shortCode = String(b.ShortCode ?? '');
    if (!knownShortcode(this.ctx.merchants, shortCode)) return badRequest('ShortCode');
    if (b.RequestType !== 'Pull') return badRequest('RequestType');
    if (!/^https?:\/\//.test(String(b.CallBackURL ?? ''))) return badRequest('CallBackURL');
    this.registered.add(shortCode);
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
    if (!this.registered.has(shortCode))
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
    const rows = [...this.ctx.ledger.values()]
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
}
