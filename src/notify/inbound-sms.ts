/**
 * A text a customer sent to our number, as the SMS gateway forwards it (Africa's Talking posts
 * `from`, `to`, `text`, `date`, `id`). Only one thing is understood: STOP (or ACHA, Kiswahili)
 * turns reminders off for that phone. Anything else is ignored. The URL carries the callback
 * secret like the M-Pesa webhooks, so nobody else can opt a phone out.
 */
import type { Deps } from '../app/deps.ts';
import { CUSTOMER } from '../audit/index.ts';
import { normalizePhone } from '../lib/phone.ts';
import { secretMatches } from '../lib/secret-match.ts';
import { setReminderOptOut } from './opt-out.ts';

const STOP_WORDS = new Set(['STOP', 'ACHA', 'STOPALL', 'UNSUBSCRIBE']);

export type InboundOutcome = 'opted_out' | 'ignored' | 'forbidden';

/** The first word decides: "stop", "Stop please", "ACHA." all count. */
export function isStopText(text: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? '';
  return STOP_WORDS.has(first.replace(/[^A-Za-z]/g, '').toUpperCase());
}

export async function receiveInboundSms(
  deps: Deps,
  o: { secret: string; from: unknown; text: unknown },
): Promise<InboundOutcome> {
  if (!secretMatches(o.secret, deps.config.mpesa.callbackSecret)) {
    deps.log.warn('Inbound SMS with a wrong secret ignored');
    return 'forbidden';
  }
  const phone = typeof o.from === 'string' ? normalizePhone(o.from) : null;
  if (!phone || typeof o.text !== 'string' || !isStopText(o.text)) return 'ignored';
  await setReminderOptOut(deps, { phone, optedOut: true, source: 'sms', actor: CUSTOMER });
  return 'opted_out';
}
