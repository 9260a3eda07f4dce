/**
 * A batch of vouchers for one plan, made in one transaction with its audit row: either every code
 * exists and the batch is on record, or nothing is.
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import { voucherBatches } from '../db/schema.ts';
import { generateAccessCode } from '../access/index.ts';
import { type Actor, audit, staffIdOf } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import { insertVoucherCodes } from './insert-codes.ts';
import { getPlan } from '../plans/index.ts';

export const MAX_BATCH = 100_000;

export interface CreateBatchInput {
  planId: number;
  count: number;
  label?: string | null | undefined;
  /** Last moment a voucher can be first used; null = no limit. */
  validUntil?: Date | null | undefined;
  /** Stock for online/cash sale (never printed) instead of paper. */
  sellOnline?: boolean | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export interface CreatedBatch {
  batchId: string;
  count: number;
  codes: string[];
}

export async function createVoucherBatch(deps: Deps, input: CreateBatchInput): Promise<CreatedBatch> {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_BATCH) {
    throw new AppError('validation', `count: make between 1 and ${MAX_BATCH} vouchers at a time.`);
  }
  if (input.validUntil && input.validUntil.getTime() <= deps.clock.now().getTime()) {
    throw new AppError('validation', 'validUntil: must be in the future.');
  }
  const label = input.label?.trim() ? input.label.trim().slice(0, 80) : null;
  return deps.db.transaction(async (tx) => {
    const plan = await getPlan(tx, input.planId);
    const batchId = randomUUID();
    await tx.insert(voucherBatches).values({
      id: batchId,
      planId: plan.id,
      label,
      count: input.count,
      source: 'generated',
      validUntil: input.validUntil ?? null,
      createdBy: staffIdOf(input.actor),
      createdAt: deps.clock.now(),
      sellOnline: input.sellOnline ?? false,
    });
    const codes: string[] = [];
    let want = input.count;
    // A collision with a live code is astronomically rare (25^10 codes) but handled: the unique
    // index refuses the row and a fresh code takes its place.
    for (let round = 0; want > 0; round++) {
      if (round === 5) throw new Error('could not generate unique voucher codes');
      const fresh = new Set<string>();
      while (fresh.size < want) fresh.add(generateAccessCode());
      const r = await insertVoucherCodes(tx, deps, {
        batchId,
        plan,
        codes: [...fresh],
        validUntil: input.validUntil ?? null,
      });
      codes.push(...r.inserted);
      want -= r.inserted.length;
    }
    await audit(tx, deps, {
      actor: input.actor,
      action: 'voucher.batch_create',
      entity: 'voucher_batch',
      entityId: batchId,
      detail: { planId: plan.id, count: codes.length, label, sellOnline: !!input.sellOnline },
      ip: input.ip,
    });
    return { batchId, count: codes.length, codes };
  });
}
