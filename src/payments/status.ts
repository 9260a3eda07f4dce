/**
 * The purchase state machine (DESIGN.md §3), declared once. Every status change in SQL is guarded
 * by `status IN (sourcesOf(target))`, so a late or duplicate notification can never move a purchase
 * backwards: money that moved (`paid`) is final, and a success that arrives after a failure, a
 * cancel or our own timeout still counts.
 */
import { PURCHASE_STATUSES, type PurchaseStatus } from '../db/schema.ts';

export type { PurchaseStatus };

export const TRANSITIONS: Readonly<Record<PurchaseStatus, readonly PurchaseStatus[]>> = {
  pending: ['paid', 'failed', 'cancelled', 'expired'],
  failed: ['paid'],
  cancelled: ['paid'],
  expired: ['paid'],
  paid: [],
};

export const FINAL_STATUSES: readonly PurchaseStatus[] = ['paid', 'failed', 'cancelled', 'expired'];

/**
 * A purchase that ended unpaid may be tried again with a new prompt. Never a paid one (the
 * customer would pay twice) or one still waiting (its prompt may still be answered).
 */
export const RETRYABLE_STATUSES: readonly PurchaseStatus[] = ['failed', 'cancelled', 'expired'];

export function canTransition(from: PurchaseStatus, to: PurchaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses a purchase may be in to move to `to` (for the SQL guard). */
export function sourcesOf(to: PurchaseStatus): PurchaseStatus[] {
  return PURCHASE_STATUSES.filter((from) => canTransition(from, to));
}

/** The timestamp column set when entering each status. */
export const STATUS_TIME_COLUMN = {
  paid: 'paid_at',
  failed: 'failed_at',
  cancelled: 'cancelled_at',
  expired: 'expired_at',
} as const;
