/**
 * Import codes made on a MikroTik router or by another voucher tool as one batch, so each is
 * sold once. Codes already known to Wavu (any batch, any purchase) are refused by the unique
 * index on code_hash, atomically even against a concurrent import, and reported. The batch and
 * its audit row commit together; a dry run or a refused strict import writes neither.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { voucherBatches } from '../db/schema.ts';
import { type Actor, audit, staffIdOf } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import { insertVoucherCodes } from './insert-codes.ts';
import { type ImportProblem, parseVoucherFile } from './parse-import.ts';
import { getPlan } from '../plans/index.ts';

export interface ImportInput {
  planId: number;
  text: string;
  label?: string | null | undefined;
  validUntil?: Date | null | undefined;
  /** Imported codes default to online stock: Wavu sells them (M-Pesa, cash). */
  sellOnline?: boolean | undefined;
  /** Import nothing if any line has a problem. */
  strict?: boolean | undefined;
  dryRun?: boolean | undefined;
  actor: Actor;
  ip?: string | null | undefined;
}

export interface ImportReport {
  format: string;
  batchId: string | null;
  imported: number;
  problems: ImportProblem[];
}

class Rollback extends Error {}

export async function importVouchers(deps: Deps, input: ImportInput): Promise<ImportReport> {
  const parsed = parseVoucherFile(input.text);
  if (parsed.entries.length === 0) {
    return { format: parsed.format, batchId: null, imported: 0, problems: [...parsed.problems] };
  }
  let report: ImportReport | null = null;
  try {
    await deps.db.transaction(async (tx) => {
      const plan = await getPlan(tx, input.planId);
      const batchId = randomUUID();
      await tx.insert(voucherBatches).values({
        id: batchId,
        planId: plan.id,
        label: input.label?.trim() || null,
        count: parsed.entries.length,
        source: 'imported',
        validUntil: input.validUntil ?? null,
        createdBy: staffIdOf(input.actor),
        createdAt: deps.clock.now(),
        sellOnline: input.sellOnline ?? true,
      });
      const r = await insertVoucherCodes(tx, deps, {
        batchId,
        plan,
        codes: parsed.entries.map((e) => e.code),
        validUntil: input.validUntil ?? null,
        passwords: new Map(
          parsed.entries.flatMap((e) => (e.password ? [[e.code, e.password] as const] : [])),
        ),
      });
      const lineOf = new Map(parsed.entries.map((e) => [e.code, e.line]));
      // Built afresh in here: a transaction that is run again must not report a code twice.
      const problems = [...parsed.problems];
      for (const code of r.taken) {
        problems.push({ line: lineOf.get(code)!, value: code, reason: 'this code already exists in Wavu' });
      }
      problems.sort((a, b) => a.line - b.line);
      report = { format: parsed.format, batchId, imported: r.inserted.length, problems };
      if (r.inserted.length === 0 || input.dryRun || (input.strict && problems.length)) throw new Rollback();
      await tx.execute(sql`UPDATE voucher_batches SET count = ${r.inserted.length} WHERE id = ${batchId}`);
      await audit(tx, deps, {
        actor: input.actor,
        action: 'voucher.import',
        entity: 'voucher_batch',
        entityId: batchId,
        detail: {
          planId: plan.id,
          imported: r.inserted.length,
          problems: problems.length,
          format: parsed.format,
        },
        ip: input.ip,
      });
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
    const r = report as ImportReport | null;
    if (!r) throw new AppError('internal', 'import failed');
    // Nothing was written: say how many *would* have been imported on a dry run.
    return {
      ...r,
      batchId: null,
      imported: input.dryRun && !(input.strict && r.problems.length) ? r.imported : 0,
    };
  }
  return report!;
}
