/**
 * The few rules every PPP path shares (RADIUS Accept, the fair-use CoA, the api-mode secret):
 * which rate a subscriber gets and the default interim interval.
 */

/** Framed-Protocol = PPP and Service-Type = Framed-User (RFC 2865 §5.6, §5.7). */
export const PPP = 1;
export const FRAMED_USER = 2;

/** Settings keys (global `settings` rows) and their defaults; the expired pool's is the gateways'. */
export const INTERIM_SETTING = 'ppp_interim_seconds';
export const DEFAULT_INTERIM_SECONDS = 300;
/** Days before the due date the reminder SMS goes (0: none; remind-due.ts). */
export const REMIND_DAYS_SETTING = 'ppp_remind_days';
export const DEFAULT_REMIND_DAYS = 3;

/**
 * How long an expired subscriber's session in the expired pool lasts: short, so that after a
 * payment the next login (which the router retries at once) is at the plan rate even when the
 * Disconnect-Request could not reach the router.
 */
export const EXPIRED_SESSION_SECONDS = 600;

export interface RateSource {
  throttled: boolean;
  rate_up_kbps: number;
  rate_down_kbps: number;
  fair_use_up_kbps: number | null;
  fair_use_down_kbps: number | null;
}

/** The plan rate, or the fair-use rate once the data cap is crossed, as `up/down` in kbit/s. */
export function rateKbps(s: RateSource): { up: number; down: number } {
  if (s.throttled && s.fair_use_up_kbps && s.fair_use_down_kbps)
    return { up: Number(s.fair_use_up_kbps), down: Number(s.fair_use_down_kbps) };
  return { up: Number(s.rate_up_kbps), down: Number(s.rate_down_kbps) };
}

/** MikroTik's rate-limit text (router view: rx = subscriber upload, tx = download). */
export function rateLimit(s: RateSource): string {
  const r = rateKbps(s);
  return `${r.up}k/${r.down}k`;
}
