/**
 * What a fault run ended with, from the two sides that must agree: the Daraja simulator (where
 * money moved) and Wavu's database (what was credited), plus what the router and the RADIUS
 * server showed the customer. Purchases are matched to pushes by the STK AccountReference, which
 * is the purchase's ref, so even a push whose CheckoutRequestID Wavu never recorded is found.
 */
import type pg from 'pg';
import type { SimStkView } from '../../src/sim/daraja/control.ts';

export interface Verdict {
  purchases: number;
  paidSim: number;
  paidWavu: number;
  /** Refs paid at the simulator and not credited by Wavu. */
  lost: string[];
  /** Refs credited by Wavu without money at the simulator. */
  creditedUnpaid: string[];
  /** Refs with more than one access code or more than one SMS. */
  doubleCredited: string[];
  /** Refs still pending. */
  stuck: string[];
  simPending: number;
  deadJobs: Record<string, number>;
  /** Jobs still `running` under a worker that was killed (waiting for their lease to lapse). */
  orphanedJobs: number;
  /** Refs paid and credited whose customer never got online. */
  notOnline: string[];
  /** Paid (simulator) → online (router user or RADIUS Accept), ms, one per paid purchase online. */
  paidToOnlineMs: number[];
  /** The same, by the router's mode. */
  paidToOnlineByMode: Record<string, number[]>;
  /** `status` or `status (result code)` → purchases. */
  byStatus: Record<string, number>;
  inbox: Record<string, number>;
  simStats: Record<string, number>;
}

interface Row {
  ref: string;
  status: string;
  result_code: string | null;
  checkout_request_id: string | null;
  access_code_id: string | null;
  mac: string | null;
  mode: string | null;
}

export async function judge(o: {
  db: pg.Pool;
  simUrl: string;
  routerSeen: Map<string, number>;
  radiusSeen: Map<string, number | null>;
  /** PIDs of the workers alive now. */
  workerPids: number[];
}): Promise<Verdict> {
  const res = await fetch(`${o.simUrl}/_sim/stk`);
  const sim = (await res.json()) as { transactions: SimStkView[]; stats: Record<string, number> };
  const { rows } = await o.db.query<Row>(
    `SELECT p.ref, p.status, p.result_code, p.checkout_request_id, p.access_code_id, p.mac, r.mode
       FROM purchases p LEFT JOIN routers r ON r.id = p.router_id`,
  );
  const twice = await o.db.query<{ ref: string }>(
    `SELECT p.ref FROM purchases p
      WHERE (SELECT count(*) FROM access_codes c WHERE c.purchase_id = p.id) > 1
         OR (SELECT count(*) FROM sms_messages s WHERE s.purchase_id = p.id) > 1`,
  );
  const dead = await o.db.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM jobs WHERE status = 'dead' GROUP BY kind ORDER BY kind`,
  );
  // Worker ids are host:pid:random (src/jobs/worker.ts).
  const running = await o.db.query<{ locked_by: string | null }>(
    `SELECT locked_by FROM jobs WHERE status = 'running'`,
  );
  const orphaned = running.rows.filter((r) => !o.workerPids.includes(Number(r.locked_by?.split(':')[1])));
  const inbox = await o.db.query<{ kind: string; outcome: string | null; n: number }>(
    `SELECT kind, outcome, count(*)::int AS n FROM callback_inbox GROUP BY 1, 2 ORDER BY 1, 2`,
  );

  const paidAt = new Map<string, number>();
  for (const t of sim.transactions) {
    if (t.resultCode === 0) paidAt.set(t.accountReference, Date.parse(t.finishedAt!));
  }
  const byRef = new Map(rows.map((r) => [r.ref, r]));
  const v: Verdict = {
    purchases: rows.length,
    paidSim: paidAt.size,
    paidWavu: rows.filter((r) => r.status === 'paid').length,
    lost: [...paidAt.keys()]
      .filter((ref) => byRef.get(ref)?.status !== 'paid')
      .map((ref) => {
        const r = byRef.get(ref);
        const why = !r
          ? 'no purchase'
          : `${r.status}${r.checkout_request_id ? '' : ', CheckoutRequestID never recorded'}`;
        return `${ref} (${why})`;
      }),
    creditedUnpaid: rows.filter((r) => r.status === 'paid' && !paidAt.has(r.ref)).map((r) => r.ref),
    doubleCredited: twice.rows.map((r) => r.ref),
    stuck: rows.filter((r) => r.status === 'pending').map((r) => r.ref),
    simPending: sim.transactions.filter((t) => t.state === 'pending').length,
    deadJobs: Object.fromEntries(dead.rows.map((r) => [r.kind, Number(r.n)])),
    orphanedJobs: orphaned.length,
    notOnline: [],
    paidToOnlineMs: [],
    paidToOnlineByMode: {},
    byStatus: {},
    inbox: Object.fromEntries(
      inbox.rows.map((r) => [`${r.kind} ${r.outcome ?? 'unprocessed'}`, Number(r.n)]),
    ),
    simStats: sim.stats,
  };
  for (const r of rows) {
    const k = r.status === 'paid' || !r.result_code ? r.status : `${r.status} (${r.result_code})`;
    v.byStatus[k] = (v.byStatus[k] ?? 0) + 1;
  }
  for (const r of rows) {
    const paid = paidAt.get(r.ref);
    if (r.status !== 'paid' || paid === undefined) continue;
    const online =
      r.mode === 'api'
        ? o.routerSeen.get(r.access_code_id ?? '')
        : r.mac
          ? o.radiusSeen.get(r.mac)
          : undefined;
    if (online == null) v.notOnline.push(r.ref);
    else {
      const ms = Math.max(0, online - paid);
      v.paidToOnlineMs.push(ms);
      const mode = r.mode ?? '?';
      v.paidToOnlineByMode[mode] = [...(v.paidToOnlineByMode[mode] ?? []), ms];
    }
  }
  return v;
}

/** The money invariants, and customers getting online when `online` is asked for. */
export function broken(v: Verdict, o: { online: boolean }): string[] {
  const out: string[] = [];
  if (v.lost.length) out.push(`lost (paid, not credited): ${v.lost.join(', ')}`);
  if (v.creditedUnpaid.length) out.push(`credited without payment: ${v.creditedUnpaid.join(', ')}`);
  if (v.doubleCredited.length) out.push(`credited twice: ${v.doubleCredited.join(', ')}`);
  if (v.stuck.length) out.push(`stuck pending: ${v.stuck.join(', ')}`);
  const dead = Object.entries(v.deadJobs);
  if (dead.length) out.push(`dead jobs: ${dead.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (o.online && v.notOnline.length) out.push(`paid but never online: ${v.notOnline.join(', ')}`);
  return out;
}
