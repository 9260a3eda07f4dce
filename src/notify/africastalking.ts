import { atFormBody, AT_STATUS, classifyAtStatus, parseAtResponse } from '../protocols/sms/africastalking.ts';
import { type SmsProvider, SmsError } from './provider.ts';

export interface AfricasTalkingOptions {
  baseUrl: string;
  username: string;
  apiKey: string;
  senderId?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Africa's Talking over plain fetch: one form POST per message. */
export function africasTalkingProvider(o: AfricasTalkingOptions): SmsProvider {
  const doFetch = o.fetch ?? fetch;
  const url = `${o.baseUrl.replace(/\/+$/, '')}/version1/messaging`;
  return {
    name: 'africastalking',
    async send(to, body) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: {
            apiKey: o.apiKey,
            Accept: 'application/json',
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: atFormBody({
            username: o.username,
            to: `+${to.replace(/^\+/, '')}`,
            message: body,
            from: o.senderId,
          }),
          signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
        });
      } catch (e) {
        throw new SmsError(`Africa's Talking unreachable: ${(e as Error).message}`, { retryable: true });
      }
      const text = await res.text().catch(() => '');
      if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 408) {
        // 401: a wrong or rotated API key; once the operator fixes it, queued messages should go.
        throw new SmsError(`Africa's Talking HTTP ${res.status}: ${text.slice(0, 200)}`, {
          retryable: true,
          providerCode: res.status,
        });
      }
      if (res.status >= 400) {
        throw new SmsError(
          `Africa's Talking refused the request (HTTP ${res.status}): ${text.slice(0, 200)}`,
          {
            retryable: false,
            providerCode: res.status,
          },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SmsError(`Africa's Talking answered with something that is not JSON (HTTP ${res.status})`, {
          retryable: true,
        });
      }
      const parsed = parseAtResponse(json);
      if (!parsed) throw new SmsError("Africa's Talking answer had no recipients list", { retryable: true });
      const r = parsed.recipients[0];
      if (!r) {
        // AT answers "InvalidPhoneNumber" etc. in Message with an empty list when nobody was valid.
        throw new SmsError(`Africa's Talking sent to nobody: ${parsed.message}`, { retryable: false });
      }
      const outcome = classifyAtStatus(r.statusCode);
      if (outcome === 'accepted') return { providerId: r.messageId ?? `AT-${r.statusCode}` };
      throw new SmsError(
        `Africa's Talking: ${r.status || AT_STATUS[r.statusCode] || 'error'} (${r.statusCode})`,
        {
          retryable: outcome === 'retryable',
          providerCode: r.statusCode,
        },
      );
    },
  };
}
