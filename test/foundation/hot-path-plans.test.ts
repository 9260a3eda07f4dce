/**
 * Costs that stay flat: every query on a hot path (an Access-Request, an STK callback's crediting,
 * a code's issue or extension, the portal's status poll, a voucher's redeem, the job runner's
 * claim) finds its rows through an index, so its cost does not grow with the number of codes,
 * purchases, devices, callbacks or jobs. Each is EXPLAINed with sequential scans priced out
 * (`enable_seqscan = off`): a query that can only be answered by reading a whole large table
 * still gets a Seq Scan, or an index scan without an index condition (the whole index, read in
 * order), and fails here. bench/live-codes-scale.ts shows the same thing as times.
 *
 * The tables hold a few thousand rows and are ANALYZEd first, so the planner weighs them as it
 * would a live database's (on empty tables any index is as cheap as the right one).
 *
 * The list is written out, read from the code (the file each comes from is named), with literal
 * values where the code binds parameters; a new hot-path query belongs here too. The queries
 * inside access_authorize (the Access-Request and redeem decision) are restated as the function
 * runs them: EXPLAIN of the function call does not show its statements.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** The tables that grow with the business: a read of all of one is a cost that grows with it. */
const LARGE = [
  'access_codes',
  'purchases',
  'access_devices',
  'callback_inbox',
  'jobs',
  'access_grants',
  'sms_messages',
  'rate_limits',
];

const ID = "'00000000-0000-4000-8000-000000000001'::uuid";
const NOW = "'2026-12-02T06:00:00Z'::timestamptz";

const HOT_PATHS: { path: string; from: string; sql: string }[] = [
  // Access-Request and voucher redeem: access_authorize (src/db/functions/access_authorize.sql).
  {
    path: 'Access-Request: the code',
    from: 'access_authorize',
    sql: `SELECT a.id, a.status, p.rate_up_kbps FROM access_codes a JOIN plans p ON p.id = a.plan_id
           WHERE a.code_hash = 'h' FOR UPDATE OF a`,
  },
  {
    path: 'Access-Request: the MAC',
    from: 'access_authorize',
    sql: `SELECT a.id, a.status, p.rate_up_kbps FROM access_codes a JOIN plans p ON p.id = a.plan_id
           WHERE a.status IN ('issued', 'active')
             AND EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = a.id AND d.mac = '02:00:00:00:00:01')
           ORDER BY a.activated_at DESC NULLS LAST LIMIT 1 FOR UPDATE OF a`,
  },
  {
    path: 'Access-Request: first login starts the clock',
    from: 'access_authorize',
    sql: `UPDATE access_codes SET status = 'active', activated_at = ${NOW}, expires_at = ${NOW}, updated_at = ${NOW}
           WHERE id = ${ID} AND status = 'issued'`,
  },
  {
    path: 'Access-Request: the bound device seen',
    from: 'access_authorize',
    sql: `UPDATE access_devices d SET last_seen_at = ${NOW} WHERE d.access_code_id = ${ID} AND d.mac = '02:00:00:00:00:01'`,
  },
  {
    path: 'Access-Request: devices bound',
    from: 'access_authorize',
    sql: `SELECT count(*) FROM access_devices d WHERE d.access_code_id = ${ID}`,
  },
  {
    path: 'Access-Request: guessing counters read',
    from: 'guess_count (migration 0940)',
    sql: `SELECT coalesce(sum(r.count), 0) FROM rate_limits r WHERE r.key = ANY ('{guess:ip:1,guess:all:0}'::text[])`,
  },
  {
    path: 'Access-Request: guessing refund',
    from: 'guess_refund (migration 0940)',
    sql: `UPDATE rate_limits SET count = count - 1 WHERE key = ANY ('{guess:ip:1}'::text[]) AND count > 0`,
  },
  // STK callback crediting (src/payments/stk-callback.ts, credit.ts, mark-paid.ts, settle.ts, inbox.ts).
  {
    path: 'STK callback: its purchase',
    from: 'stk-callback.ts storeAndProcess',
    sql: `SELECT p.id, p.status, p.amount_kes, p.phone, p.mpesa_receipt FROM purchases p
           WHERE p.checkout_request_id = 'ws_CO_1'`,
  },
  {
    path: 'STK callback: adopting a push with no CheckoutRequestID',
    from: 'stk-callback.ts settleStk',
    sql: `UPDATE purchases SET checkout_request_id = 'ws_CO_1', merchant_request_id = 'm'
           WHERE id = (SELECT id FROM purchases WHERE status = 'pending' AND channel = 'stk' AND phone = '254700000001'
                         AND amount_kes = 20 AND checkout_request_id IS NULL LIMIT 1)
             AND checkout_request_id IS NULL RETURNING id`,
  },
  {
    path: 'STK callback: the claim',
    from: 'credit.ts creditInTx',
    sql: `WITH claimed AS (
            UPDATE purchases p SET updated_at = ${NOW}
              FROM purchases me LEFT JOIN plans pl ON pl.id = me.plan_id LEFT JOIN routers r ON r.id = me.router_id
             WHERE p.id = ${ID} AND me.id = p.id AND p.status IN ('pending', 'failed', 'cancelled', 'expired')
            RETURNING p.id, pl.name, r.mode,
                      EXISTS (SELECT 1 FROM purchases o WHERE o.mpesa_receipt = 'UKN1' AND o.id <> p.id) AS receipt_taken)
          SELECT cur.status, claimed.* FROM purchases cur LEFT JOIN claimed ON true WHERE cur.id = ${ID}`,
  },
  {
    path: 'STK callback: a receipt learnt late',
    from: 'credit.ts creditInTx',
    sql: `UPDATE purchases SET mpesa_receipt = 'UKN1', updated_at = ${NOW}
           WHERE id = ${ID} AND mpesa_receipt IS NULL
             AND NOT EXISTS (SELECT 1 FROM purchases WHERE mpesa_receipt = 'UKN1') RETURNING id`,
  },
  {
    path: 'STK callback: paid, SMS and inbox row',
    from: 'mark-paid.ts, queue-sms.ts smsSql, inbox.ts finishCallbackSql',
    sql: `WITH paid AS (
            UPDATE purchases SET status = 'paid', paid_at = ${NOW}, access_code_id = ${ID}, next_check_at = NULL
             WHERE id = ${ID} AND status IN ('pending', 'failed', 'cancelled', 'expired') RETURNING id),
          inbox AS (UPDATE callback_inbox SET outcome = 'credited', processed_at = ${NOW} WHERE id = 1 RETURNING id)
          SELECT id, (SELECT count(*) FROM inbox) FROM paid`,
  },
  {
    path: 'STK callback: a failure settled',
    from: 'settle.ts settleUnpaid',
    sql: `UPDATE purchases SET status = 'cancelled', cancelled_at = ${NOW}
           WHERE id = ${ID} AND status IN ('pending') RETURNING id`,
  },
  {
    path: 'STK callback: the inbox sweep',
    from: 'inbox.ts waitingCallbacks',
    sql: `SELECT id, kind FROM callback_inbox WHERE processed_at IS NULL AND id > 0 ORDER BY id LIMIT 100`,
  },
  // Code issue and extension (src/access/issue-for-purchase.ts, lengthen.ts, grant.ts).
  {
    path: 'code issue: the buyer’s live code',
    from: 'issue-for-purchase.ts findExtendable',
    sql: `SELECT c.id, c.code_sealed, c.status, c.clock, c.expires_at
            FROM access_codes c
           WHERE c.id IN (SELECT a.id FROM access_codes a WHERE a.phone = '254700000001'
                          UNION
                          SELECT d.access_code_id FROM access_devices d WHERE d.mac = '02:00:00:00:00:01')
             AND c.kind = 'purchase' AND c.plan_id = 1 AND c.status IN ('issued', 'active')
             AND (c.expires_at IS NULL OR c.expires_at > ${NOW})
             AND (c.used_seconds < c.duration_seconds)
           ORDER BY c.issued_at DESC LIMIT 1 FOR UPDATE OF c`,
  },
  {
    path: 'code extension: more time',
    from: 'lengthen.ts lengthenCode',
    sql: `UPDATE access_codes SET duration_seconds = duration_seconds + 3600, updated_at = ${NOW} WHERE id = ${ID}`,
  },
  {
    path: 'code issue: the grant recorded',
    from: 'gateways/grants.ts grantRequestSql',
    sql: `INSERT INTO access_grants (access_code_id, router_id, status, attempts, requested_at, updated_at)
          SELECT c.id, 1, 'pending', 0, ${NOW}, ${NOW} FROM (VALUES (${ID})) AS c (id) WHERE true
          ON CONFLICT (access_code_id, router_id) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
  },
  // The portal's status poll (src/payments/get-purchase.ts load).
  {
    path: 'portal status poll',
    from: 'get-purchase.ts load',
    sql: `SELECT p.id, p.status, pl.name, ac.code_sealed
            FROM purchases p LEFT JOIN plans pl ON pl.id = p.plan_id
            LEFT JOIN access_codes ac ON ac.id = p.access_code_id
           WHERE p.id = ${ID}`,
  },
  // The job runner: each grant and SMS a callback queues is claimed (src/jobs/worker.ts claim).
  {
    path: 'job runner: the claim',
    from: 'jobs/worker.ts claim',
    sql: `UPDATE jobs SET status = 'running', attempts = attempts + 1
           WHERE id IN (SELECT id FROM jobs
                         WHERE kind IN ('gateway.grant', 'sms.send')
                           AND ((status = 'queued' AND run_at <= ${NOW}) OR (status = 'running' AND locked_until < ${NOW}))
                         ORDER BY run_at, id LIMIT 8 FOR UPDATE SKIP LOCKED)
          RETURNING id`,
  },
];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** Every read of a large table that does not go through an index condition. */
function wholeTableReads(node: PlanNode, out: string[] = []): string[] {
  const rel = node['Relation Name'];
  if (rel && LARGE.includes(rel)) {
    const type = node['Node Type'];
    if (type === 'Seq Scan') out.push(`Seq Scan on ${rel}`);
    if ((type === 'Index Scan' || type === 'Index Only Scan') && !node['Index Cond'])
      out.push(`${type} of all of ${node['Index Name']} on ${rel}`);
  }
  for (const child of node.Plans ?? []) wholeTableReads(child, out);
  return out;
}

let t: TestDatabase;
const ROWS = 3000;
beforeAll(async () => {
  t = await createTestDatabase();
  const db = t.database.db;
  await db.execute(
    sql.raw(`
    INSERT INTO access_codes (id, code_hash, code_sealed, plan_id, kind, status, devices, clock, duration_seconds,
                              phone, issued_at, activated_at, expires_at, expired_at)
    SELECT gen_random_uuid(), md5('c' || g), 'sealed', (SELECT min(id) FROM plans), 'purchase',
           CASE WHEN g % 3 = 0 THEN 'expired' ELSE 'active' END, 1, 'wall', 3600,
           '2547' || lpad(g::text, 8, '0'), now(), now(), now() + interval '1 hour',
           CASE WHEN g % 3 = 0 THEN now() END
      FROM generate_series(1, ${ROWS}) g`),
  );
  await db.execute(
    sql.raw(`
    INSERT INTO access_devices (access_code_id, mac, bound_at, last_seen_at)
    SELECT id, upper(regexp_replace(substr(md5(id::text), 1, 12), '(..)(?!$)', '\\1:', 'g')), now(), now()
      FROM access_codes`),
  );
  await db.execute(
    sql.raw(`
    INSERT INTO purchases (id, ref, plan_id, phone, amount_kes, channel, status, checkout_request_id, mpesa_receipt,
                           next_check_at, created_at, updated_at, expired_at, cancelled_at)
    SELECT gen_random_uuid(), 'P' || g, (SELECT min(id) FROM plans), '2541' || lpad(g::text, 8, '0'), 20, 'stk',
           CASE g % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'cancelled' ELSE 'expired' END,
           'ws_CO_' || g, 'R' || g, now(), now(), now(),
           CASE WHEN g % 10 > 1 THEN now() END, CASE WHEN g % 10 = 1 THEN now() END
      FROM generate_series(1, ${ROWS}) g`),
  );
  await db.execute(
    sql.raw(`
    INSERT INTO callback_inbox (kind, received_at, body, checkout_request_id, outcome, processed_at)
    SELECT 'stk', now(), '{}'::jsonb, 'ws_CO_' || g, 'credited', CASE WHEN g % 50 > 0 THEN now() END
      FROM generate_series(1, ${ROWS}) g`),
  );
  await db.execute(
    sql.raw(`
    INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, status, created_at, updated_at, finished_at)
    SELECT 'sms.send', '{}', now(), 12, 'k' || g, CASE WHEN g % 20 = 0 THEN 'queued' ELSE 'done' END, now(), now(),
           CASE WHEN g % 20 > 0 THEN now() END
      FROM generate_series(1, ${ROWS}) g`),
  );
  await db.execute(sql.raw('ANALYZE'));
});
afterAll(async () => {
  await t.drop();
});

describe('hot-path queries use an index', () => {
  it.each(HOT_PATHS.map((h) => [h.path, h] as const))('%s', async (_name, h) => {
    const plan = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw('SET LOCAL enable_seqscan = off'));
      const [row] = await query<Record<string, unknown>>(tx, sql.raw(`EXPLAIN (FORMAT JSON) ${h.sql}`));
      const v = Object.values(row!)[0];
      return (typeof v === 'string' ? JSON.parse(v) : v) as { Plan: PlanNode }[];
    });
    expect(wholeTableReads(plan[0]!.Plan), `${h.path} (${h.from})`).toEqual([]);
  });

  it('the check itself catches a query no index can answer', async () => {
    // The OR across two tables that issueForPurchase once ran: it read every live code.
    const plan = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw('SET LOCAL enable_seqscan = off'));
      const [row] = await query<Record<string, unknown>>(
        tx,
        sql.raw(`EXPLAIN (FORMAT JSON) SELECT c.id FROM access_codes c
                  WHERE c.phone = '254700000001'
                     OR EXISTS (SELECT 1 FROM access_devices d WHERE d.access_code_id = c.id AND d.mac = 'x')`),
      );
      const v = Object.values(row!)[0];
      return (typeof v === 'string' ? JSON.parse(v) : v) as { Plan: PlanNode }[];
    });
    expect(wholeTableReads(plan[0]!.Plan)).not.toEqual([]);
  });
});
