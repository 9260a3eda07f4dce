/**
 * Africa's Talking bulk SMS wire format (POST /version1/messaging), with no business rules: build
 * the form body, read the JSON answer, classify each recipient status code.
 *
 * The answer is HTTP 201 with one entry per recipient; "accepted" means the gateway took it, not
 * that the phone received it (delivery reports arrive separately).
 */
export interface AtSendRequest {
  username: string;
  /** International format with a plus: +254712345678. */
  to: string;
  message: string;
  from?: string | undefined;
}

export function atFormBody(r: AtSendRequest): string {
  const p = new URLSearchParams({ username: r.username, to: r.to, message: r.message });
  if (r.from) p.set('from', r.from);
  return p.toString();
}

export interface AtRecipient {
  statusCode: number;
  status: string;
  number: string;
  messageId: string | null;
  cost: string | null;
}

export interface AtSendResponse {
  message: string;
  recipients: AtRecipient[];
}

/** null when the body is not the documented shape. */
export function parseAtResponse(body: unknown): AtSendResponse | null {
  const data = (body as { SMSMessageData?: unknown } | null)?.SMSMessageData as
    | { Message?: unknown; Recipients?: unknown }
    | undefined;
  if (!data || typeof data !== 'object' || !Array.isArray(data.Recipients)) return null;
  const recipients: AtRecipient[] = [];
  for (const r of data.Recipients as Record<string, unknown>[]) {
    const code = Number(r?.statusCode);
    if (!Number.isInteger(code)) return null;
    recipients.push({
      statusCode: code,
      status: String(r.status ?? ''),
      number: String(r.number ?? ''),
      messageId: r.messageId ? String(r.messageId) : null,
      cost: r.cost ? String(r.cost) : null,
    });
  }
  return { message: String(data.Message ?? ''), recipients };
}

/** Per-recipient status codes from the AT documentation. */
export const AT_STATUS: Record<number, string> = {
  100: 'Processed',
  101: 'Sent',
  102: 'Queued',
  401: 'RiskHold',
  402: 'InvalidSenderId',
  403: 'InvalidPhoneNumber',
  404: 'UnsupportedNumberType',
  405: 'InsufficientBalance',
  406: 'UserInBlacklist',
  407: 'CouldNotRoute',
  409: 'DoNotDisturbRejection',
  500: 'InternalServerError',
  501: 'GatewayError',
  502: 'RejectedByGateway',
};

export type AtOutcome = 'accepted' | 'retryable' | 'permanent';

/**
 * 100/101/102: the gateway has it. Codes about the number or the sender ID will fail the same way
 * every time; the rest (balance, routing, gateway errors, risk hold) can clear up, so retry them.
 */
export function classifyAtStatus(code: number): AtOutcome {
  if (code === 100 || code === 101 || code === 102) return 'accepted';
  if ([402, 403, 404, 406, 409].includes(code)) return 'permanent';
  return 'retryable';
}
