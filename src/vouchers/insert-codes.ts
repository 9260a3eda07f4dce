/**
 * Writing many voucher codes fast: multi-row INSERTs of 1000 rows, each code sealed (so staff can
 * reprint it) and hashed (for lookup). The unique index on code_hash is the final word on
 * uniqueness, across batches and nodes: a row that collides is not inserted and is reported back.
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import type { Tx } from '../db/open.ts';
import { accessCodes } from '../db/schema.ts';
import { hashCode } from '../access/index.ts';
import type { VoucherPlan } from '../plans/index.ts';

const CHUNK = 1000;

export interface InsertResult {
  /** Codes now stored, in input order. */
  inserted: string[];
  /** Codes whose hash already existed (another batch, an earlier import, a concurrent batch). */
  taken: string[];
}

/**
 * `codes` must already be normalised and unique within the list. `passwords` (imports only): a
 * code's own password, hashed for the login check and sealed for reprints, as the code is.
 */
export async function insertVoucherCodes(
  tx: Tx,
  deps: Deps,
  o: {
    batchId: string;
    plan: VoucherPlan;
    codes: string[];
    validUntil: Date | null;
    passwords?: ReadonlyMap<string, string>;
  },
): Promise<InsertResult> {
  const now = deps.clock.now();
  const inserted: string[] = [];
  const taken: string[] = [];
  for (let i = 0; i < o.codes.length; i += CHUNK) {
    const chunk = o.codes.slice(i, i + CHUNK);
    const rows = chunk.map((code) => {
      const pw = o.passwords?.get(code);
      return {
        id: randomUUID(),
        codeHash: hashCode(deps.sealer, code),
        codeSealed: deps.sealer.seal(code),
        passwordHash: pw === undefined ? null : hashCode(deps.sealer, pw),
        passwordSealed: pw === undefined ? null : deps.sealer.seal(pw),
        planId: o.plan.id,
        kind: 'voucher' as const,
        batchId: o.batchId,
        status: 'issued' as const,
        devices: o.plan.devices,
        clock: o.plan.clock,
        durationSeconds: o.plan.durationSeconds,
        dataCapBytes: o.plan.dataCapBytes,
        validUntil: o.validUntil,
        issuedAt: now,
        updatedAt: now,
      };
    });
    const got = await tx
      .insert(accessCodes)
      .values(rows)
      .onConflictDoNothing({ target: accessCodes.codeHash })
      .returning({ codeHash: accessCodes.codeHash });
    const ok = new Set(got.map((g) => g.codeHash));
    rows.forEach((r, j) => {
      (ok.has(r.codeHash) ? inserted : taken).push(chunk[j]!);
    });
  }
  return { inserted, taken };
}
