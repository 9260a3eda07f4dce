/** access_grants: which code is (meant to be) on which router. */
import { type SQL, sql } from 'drizzle-orm';
import { type Conn, query, uuidList } from '../db/open.ts';
import type { RevokeItem } from './adapter.ts';
import { isAgentRouter, queueCommand } from './agent/commands.ts';

export type GrantStatus = 'pending' | 'granted' | 'revoking' | 'revoked';

/**
 * Record that the code is wanted on the router: `pending` until the router confirms it (one
 * already `granted` stays so). The use cases that want access on a router (a credited purchase, a
 * newly bound device) write this in their own transaction, so the router reconcile puts the code
 * there even if the grant job is lost or stuck. The grant job writes it again before it touches
 * the router (see reconcile); `attempt` counts those tries.
 */
export async function requestGrant(
  conn: Conn,
  accessCodeId: string,
  routerId: number,
  now: Date,
  o: {
    attempt: boolean;
    /** Whether the router polls us (`api_transport = 'agent'`), when the caller has read it already. */
    agent?: boolean;
  } = { attempt: true },
): Promise<void> {
  await conn.execute(grantRequestSql(sql`VALUES (${accessCodeId}::uuid)`, routerId, now, o.attempt));
  // A router that polls us gets the command in this same transaction (it is the only way to it).
  if (o.agent ?? (await isAgentRouter(conn, routerId))) {
    await queueCommand(conn, { routerId, kind: 'grant', accessCodeId, now });
  }
}

/**
 * requestGrant's write as one statement, for the codes that `codes` (a VALUES list or a SELECT of
 * one uuid column) yields: a caller that writes the code in the same statement passes the
 * SELECT over its RETURNING. Not for agent routers, whose command queueCommand writes.
 */
export function grantRequestSql(codes: SQL, routerId: number, now: Date, attempt: boolean): SQL {
  const tries = attempt ? 1 : 0;
  return sql`INSERT INTO access_grants (access_code_id, router_id, status, attempts, requested_at, updated_at)
      SELECT c.id, ${routerId}::int, 'pending', ${tries}::int, ${now}::timestamptz, ${now}::timestamptz
        FROM (${codes}) AS c (id) WHERE true
      ON CONFLICT (access_code_id, router_id) DO UPDATE
        SET status = CASE WHEN access_grants.status = 'granted' THEN 'granted' ELSE 'pending' END,
            attempts = access_grants.attempts + ${tries}::int, updated_at = EXCLUDED.updated_at`;
}

/**
 * The router holds these codes: their grants become `granted`. One statement for any number (a
 * reconcile confirms every code on a router, every minute), writing only the rows that change, so
 * a reconcile that found nothing new writes nothing.
 */
export async function markGranted(
  conn: Conn,
  accessCodeIds: string[],
  routerId: number,
  now: Date,
): Promise<void> {
  if (!accessCodeIds.length) return;
  await conn.execute(
    sql`UPDATE access_grants g SET status = 'granted', granted_at = COALESCE(g.granted_at, ${now}), last_error = NULL,
           updated_at = ${now}
        FROM ${lockedGrants(accessCodeIds, routerId, sql`AND (status = 'pending' OR (status = 'granted' AND last_error IS NOT NULL))`)}
        WHERE g.access_code_id = l.access_code_id AND g.router_id = ${routerId}`,
  );
}

/**
 * The grants of `accessCodeIds` on one router that match `where`, locked in code order, as a FROM
 * item `l`. The bulk updates of grants (revoke batches, reconcile, its confirmations) run
 * concurrently on overlapping codes; locking each set in the same order means one waits for the
 * other instead of both deadlocking (PostgreSQL then aborts one after a second's wait).
 */
function lockedGrants(accessCodeIds: string[], routerId: number, where: SQL): SQL {
  return sql`(SELECT access_code_id FROM access_grants
              WHERE router_id = ${routerId}
                AND access_code_id IN (${uuidList(accessCodeIds)})
                ${where}
              ORDER BY access_code_id FOR UPDATE) AS l`;
}

export async function markRevoked(
  conn: Conn,
  accessCodeIds: string[],
  routerId: number,
  now: Date,
): Promise<void> {
  if (!accessCodeIds.length) return;
  // One statement for any number of codes: a batch of expiries marks its 500 grants at once.
  await conn.execute(
    sql`UPDATE access_grants g SET status = 'revoked', revoked_at = ${now}, last_error = NULL, updated_at = ${now}
        FROM ${lockedGrants(accessCodeIds, routerId, sql`AND status <> 'revoked'`)}
        WHERE g.access_code_id = l.access_code_id AND g.router_id = ${routerId}`,
  );
}

/**
 * Reconcile's dead grants become `revoked`, each only if it is as reconcile read it. A code can be
 * bought again while a reconcile runs: its grant goes back to pending (requestGrant) and its grant
 * job puts it on the router, and marking that grant revoked would take a paid code off at the
 * next reconcile. The state compared is the grant's status and updated_at, as text, so it is exact.
 */
export async function markRevokedUnlessChanged(
  conn: Conn,
  dead: { accessCodeId: string; status: string; updatedAt: string }[],
  routerId: number,
  now: Date,
): Promise<void> {
  if (!dead.length) return;
  const seen = JSON.stringify(dead.map((d) => [d.accessCodeId, d.status, d.updatedAt]));
  await conn.execute(
    sql`UPDATE access_grants g SET status = 'revoked', revoked_at = ${now}, last_error = NULL, updated_at = ${now}
        FROM ${lockedGrants(
          dead.map((d) => d.accessCodeId),
          routerId,
          sql`AND status <> 'revoked'`,
        )}, jsonb_array_elements(${seen}::jsonb) AS s (v)
        WHERE g.access_code_id = l.access_code_id AND g.router_id = ${routerId}
          AND (s.v->>0)::uuid = g.access_code_id AND g.status = s.v->>1 AND g.updated_at::text = s.v->>2`,
  );
}

/**
 * Of a batch of codes to take off one router, the ones still to do: not live again (a code
 * extended or reissued since the batch was made is left alone, per code) and still on the router
 * (a grant not yet revoked, or a live session there). Marks their grants `revoking`, like
 * startRevoke. One statement, so a retry or a duplicate run costs one read and then only what is left.
 */
export async function startRevokeBatch(
  conn: Conn,
  unseal: (sealed: string) => string,
  routerId: number,
  accessCodeIds: string[],
  now: Date,
): Promise<RevokeItem[]> {
  if (!accessCodeIds.length) return [];
  const rows = await query<{ id: string; code_sealed: string }>(
    conn,
    sql`WITH picked AS (
          SELECT c.id, c.code_sealed FROM access_codes c
          WHERE c.id IN (${uuidList(accessCodeIds)})
            AND NOT (c.status IN ('issued', 'active') AND (c.expires_at IS NULL OR c.expires_at > ${now}))
            AND (EXISTS (SELECT 1 FROM access_grants g
                         WHERE g.access_code_id = c.id AND g.router_id = ${routerId} AND g.status <> 'revoked')
                 OR EXISTS (SELECT 1 FROM sessions s
                            WHERE s.access_code_id = c.id AND s.router_id = ${routerId} AND s.status = 'active'))
        ), locked AS (
          SELECT g.access_code_id FROM access_grants g JOIN picked ON picked.id = g.access_code_id
          WHERE g.router_id = ${routerId} AND g.status <> 'revoked'
          ORDER BY g.access_code_id FOR UPDATE OF g
        ), marked AS (
          UPDATE access_grants g SET status = 'revoking', updated_at = ${now}
          FROM locked WHERE g.access_code_id = locked.access_code_id AND g.router_id = ${routerId}
          RETURNING g.access_code_id
        )
        SELECT id, code_sealed FROM picked ORDER BY id`,
  );
  return rows.map((r) => ({ accessCodeId: r.id, username: unseal(r.code_sealed) }));
}

/** Note why these codes did not come off the router (shown on the code's page); one statement. */
export async function grantErrors(
  conn: Conn,
  errors: Map<string, string>,
  routerId: number,
  now: Date,
): Promise<void> {
  if (!errors.size) return;
  const list = [...errors].map(([id, error]) => ({ id, error: error.slice(0, 500) }));
  await conn.execute(
    sql`UPDATE access_grants g SET last_error = e.error, updated_at = ${now}
        FROM ${lockedGrants([...errors.keys()], routerId, sql``)},
             jsonb_to_recordset(${JSON.stringify(list)}::jsonb) AS e(id uuid, error text)
        WHERE g.access_code_id = l.access_code_id AND g.router_id = ${routerId} AND e.id = l.access_code_id`,
  );
}

/** Mark the code's grants as having to come off; returns the routers it is (or may be) on. */
export async function startRevoke(
  conn: Conn,
  accessCodeId: string,
  routerId: number | undefined,
  now: Date,
): Promise<number[]> {
  const rows = await query<{ router_id: number }>(
    conn,
    sql`UPDATE access_grants SET status = 'revoking', updated_at = ${now}
        WHERE access_code_id = ${accessCodeId} AND status <> 'revoked'
          ${routerId === undefined ? sql`` : sql`AND router_id = ${routerId}`}
        RETURNING router_id`,
  );
  return rows.map((r) => Number(r.router_id));
}

export async function grantError(
  conn: Conn,
  accessCodeId: string,
  routerId: number,
  error: string,
  now: Date,
): Promise<void> {
  await conn.execute(
    sql`UPDATE access_grants SET last_error = ${error.slice(0, 500)}, updated_at = ${now}
        WHERE access_code_id = ${accessCodeId} AND router_id = ${routerId}`,
  );
}

export async function grantStatus(
  conn: Conn,
  accessCodeId: string,
  routerId: number,
): Promise<GrantStatus | null> {
  const [r] = await query<{ status: GrantStatus }>(
    conn,
    sql`SELECT status FROM access_grants WHERE access_code_id = ${accessCodeId} AND router_id = ${routerId}`,
  );
  return r?.status ?? null;
}

/**
 * Is the router still being prepared for this access: a `gateway.grant` not yet on it, or a
 * replaced device not yet taken off (`gateway.release-device`)? Posting the login form before
 * then would only earn "invalid username" or "no more sessions are allowed" from the router.
 */
export async function grantPending(conn: Conn, accessCodeId: string): Promise<boolean> {
  const rows = await query<{ n: number }>(
    conn,
    sql`SELECT count(*)::int AS n FROM jobs
        WHERE kind IN ('gateway.grant', 'gateway.release-device') AND status IN ('queued', 'running')
          AND payload->>'accessCodeId' = ${accessCodeId}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
