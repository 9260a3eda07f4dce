/**
 * Kick a live session off its router. The router call is the gateways feature's
 * `gateway.disconnect` job; here we check the session is live, enqueue it and audit who asked.
 * Clicking twice within a minute enqueues one job.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { DISCONNECT_JOB } from '../../gateways/index.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit } from '../../audit/index.ts';

export async function disconnectSession(
  deps: Deps,
  o: { sessionId: string; actor: Actor; ip: string | null },
): Promise<{ queued: boolean }> {
  return deps.db.transaction(async (tx) => {
    const rows = await query<{ status: string; mac: string | null }>(
      tx,
      sql`SELECT status, mac FROM sessions WHERE id = ${o.sessionId}`,
    );
    if (!rows[0]) throw new AppError('not_found', 'No such session.');
    if (rows[0].status !== 'active') throw new AppError('conflict', 'That session has already ended.');
    const minute = Math.floor(deps.clock.now().getTime() / 60_000);
    const id = await deps.enqueue(
      tx,
      DISCONNECT_JOB,
      { sessionId: o.sessionId },
      { key: `gateway.disconnect:${o.sessionId}:${minute}` },
    );
    await audit(tx, deps, {
      actor: o.actor,
      action: 'session.disconnect',
      entity: 'session',
      entityId: o.sessionId,
      detail: { mac: rows[0].mac },
      ip: o.ip,
    });
    return { queued: id !== null };
  });
}
