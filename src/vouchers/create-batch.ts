/**
 * A batch of vouchers for one plan, made in one transaction with its audit row: either every code
 * exists and the batch is on record, or nothing is.
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import { voucherBatches } from '../db/schema.ts';
import { generateAccessCode } from '../access/index.ts';
import {
  type Charset,
  CHARSETS,
  entropyBits,
  MAX_CODE_LENGTH,
  MAX_PREFIX,
  MIN_CODE_LENGTH,
  strengthWarning,
} from '../lib/code-format.ts';
import { randomCode } from '../lib/random.ts';
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
  /** What the codes look like (Mikhmon's options); unset = Wavu's own 10-character codes. */
  format?: { prefix?: string | undefined; length: number; charset: Charset } | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export interface CreatedBatch {
  batchId: string;
  count: number;
  codes: string[];
  /** Guessing work per code, and the warning when it is below MIN_ENTROPY_BITS. */
  entropyBits: number;
  warning: string | null;
}

/** Checks a format and returns the code maker for it. */
function codeMaker(f: CreateBatchInput['format']): {
  make: () => string;
  bits: number;
  warning: string | null;
} {
  if (!f) return { make: generateAccessCode, bits: entropyBits(10, 'mixed'), warning: null };
  const prefix = (f.prefix ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9]*$/.test(prefix) || prefix.length > MAX_PREFIX)
    throw new AppError('validation', `prefix: up to ${MAX_PREFIX} letters or digits.`);
  if (!Number.isInteger(f.length) || f.length < MIN_CODE_LENGTH || f.length > MAX_CODE_LENGTH)
    throw new AppError('validation', `length: between ${MIN_CODE_LENGTH} and ${MAX_CODE_LENGTH} characters.`);
  if (!Object.hasOwn(CHARSETS, f.charset))
    throw new AppError('validation', 'charset: letters, digits or mixed.');
  const alphabet = CHARSETS[f.charset];
  return {
    make: () => prefix + randomCode(f.length, alphabet),
    bits: entropyBits(f.length, f.charset),
    warning: strengthWarning(f.length, f.charset),
  };
}

export async function createVoucherBatch(deps: Deps, input: CreateBatchInput): Promise<CreatedBatch> {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_BATCH) {
    throw new AppError('validation', `count: make between 1 and ${MAX_BATCH} vouchers at a time.`);
  }
  if (input.validUntil && input.validUntil.getTime() <= deps.clock.now().getTime()) {
    throw new AppError('validation', 'validUntil: must be in the future.');
  }
  const label = input.label?.trim() ? input.label.trim().slice(0, 80) : null;
  const maker = codeMaker(input.format);
  // A weak format may not hold as many distinct codes as asked for (6 digits: a million).
  if (maker.bits < Math.log2(input.count) + 4)
    throw new AppError('validation', 'length: too short for that many distinct codes; make them longer.');
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
    // A collision with a live code is rare (25^10 Wavu codes; the check above keeps short formats
    // sparse) but handled: the unique index refuses the row and a fresh code takes its place.
    for (let round = 0; want > 0; round++) {
      if (round === 5) throw new Error('could not generate unique voucher codes');
      const fresh = new Set<string>();
      while (fresh.size < want) fresh.add(maker.make());
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
      detail: {
        planId: plan.id,
        count: codes.length,
        label,
        sellOnline: !!input.sellOnline,
        format: input.format ?? null,
        entropyBits: maker.bits,
      },
      ip: input.ip,
    });
    return { batchId, count: codes.length, codes, entropyBits: maker.bits, warning: maker.warning };
  });
}
