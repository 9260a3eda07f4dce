import { sql } from 'drizzle-orm';
import { query, type Tx } from '../db/open.ts';
import { AppError } from '../lib/errors.ts';

/**
 * The batch row, locked for a whole-batch change: a concurrent disable, move or delete of the same
 * batch waits, so each sees the codes as the other left them.
 */
export async function lockBatch(
  tx: Tx,
  batchId: string,
): Promise<{ id: string; plan_id: number; label: string | null }> {
  const [b] = await query<{ id: string; plan_id: number; label: string | null }>(
    tx,
    sql`SELECT id, plan_id, label FROM voucher_batches WHERE id = ${batchId} FOR UPDATE`,
  );
  if (!b) throw new AppError('not_found', 'There is no such voucher batch.');
  return b;
}
