/**
 * The payments feature's jobs, all recurring. Each run is short; a long lease just stops another
 * worker taking over a slow run (the next slot's run comes in seconds anyway, and purchases carry
 * their own claim).
 */
import { defineJob, noPayload } from '../jobs/define.ts';

const recurring = { maxAttempts: 1, leaseMs: 600_000 };

/** Pending STK purchases: ask Daraja what became of them (reconcile.ts). */
export const PAYMENTS_RECONCILE_JOB = defineJob('payments.reconcile', noPayload, recurring);
/** Callbacks stored but not yet applied (stk-callback.ts). */
export const PAYMENTS_INBOX_JOB = defineJob('payments.inbox', noPayload, recurring);
/** Pull Transactions; only does something once the account is registered for it. */
export const PAYMENTS_PULL_JOB = defineJob('payments.pull', noPayload, recurring);
