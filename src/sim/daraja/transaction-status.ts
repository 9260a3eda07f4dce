/**
 * Transaction Status: answered at once with the ids, the result POSTed later to the ResultURL (or
 * the QueueTimeOutURL). The initiator's SecurityCredential is checked against the simulator's own
 * key pair.
 */
import { constants, privateDecrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { darajaTimestamp } from '../../protocols/daraja/time.ts';
import type { Courier } from './courier.ts';
import * as ids from './ids.ts';
import { badRequest, type SimContext, type SimInitiator, type SimReply } from './types.ts';

/**
 * The simulator's own certificate and key: the app encrypts the initiator password with this
 * certificate in demo (Safaricom's real ones in sandbox and production). Public test material.
 */
export const SIM_CERTIFICATE = readFileSync(new URL('./keys/simulator.cer', import.meta.url), 'utf8');
const SIM_PRIVATE_KEY = readFileSync(new URL('./keys/simulator-private.pem', import.meta.url), 'utf8');

export class StatusDesk {
  constructor(
    private readonly ctx: SimContext,
    private readonly courier: Courier,
    readonly initiators: SimInitiator[],
  ) {}

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
    const conversationId = `AG_${darajaTimestamp(this.ctx.now()).slice(0, 8)}_${randomBytes(10).toString('hex')}`;
    const originatorConversationId = ids.conversationId();
    const head = {
      ResultType: 0,
      OriginatorConversationID: originatorConversationId,
      ConversationID: conversationId,
      TransactionID: ids.receiptNumber(this.ctx.now()),
    };
    let body: unknown;
    if (this.ctx.faults.statusQueueTimeout) {
      body = {
        Result: { ...head, ResultType: 1, ResultCode: 1, ResultDesc: 'The request timed out in the queue.' },
      };
    } else if (!this.initiatorOk(partyA, String(b.Initiator ?? ''), String(b.SecurityCredential ?? ''))) {
      body = { Result: { ...head, ResultCode: 2001, ResultDesc: 'The initiator information is invalid.' } };
    } else {
      const e = this.ctx.ledger.get(txId);
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
    const url = this.ctx.faults.statusQueueTimeout ? timeoutUrl : resultUrl;
    const send = () => this.courier.deliver(url, 'transaction_status', conversationId, body);
    if (this.ctx.faults.statusResultDelayMs > 0)
      this.courier.later(this.ctx.faults.statusResultDelayMs, send);
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
}
