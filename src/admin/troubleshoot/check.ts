/** What one troubleshooter check answers (hotspot sales and PPPoE subscribers alike). */
export type Cause =
  | 'not_found'
  | 'callback_lost'
  | 'wrong_amount'
  | 'payment_failed'
  | 'expired'
  | 'revoked'
  | 'device_limit'
  | 'router_down'
  | 'user_missing'
  | 'payment_not_credited'
  | 'subscriber_expired'
  | 'subscriber_suspended'
  | 'subscriber_closed'
  | 'sync_failed';

export type Verdict = 'ok' | 'problem' | 'warning' | 'info';

export interface Check {
  id:
    | 'payment'
    | 'code'
    | 'devices'
    | 'grants'
    | 'router'
    | 'router_user'
    | 'session'
    | 'random_mac'
    // A PPPoE subscriber's checks (subscriber-checks.ts).
    | 'ledger'
    | 'subscriber'
    | 'router_sync'
    | 'ppp_session'
    | 'fair_use';
  title: string;
  verdict: Verdict;
  /** One sentence, plain words. */
  said: string;
  evidence: string[];
  fix: string | null;
  cause?: Cause;
  /** An action button the page offers for this check. */
  action?: Action;
}

export type Action =
  | { kind: 'retry-grant' | 'resend-code'; purchaseId: string }
  /** Give minutes back (e.g. time lost while the router was down). */
  | { kind: 'extend'; accessCodeId: string }
  /** Take one of these devices off the code so another can join. */
  | { kind: 'free-device'; accessCodeId: string; macs: string[] };
