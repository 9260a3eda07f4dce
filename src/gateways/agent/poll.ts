/**
 * One poll of an agent router: take in its report (acks, sessions, users), answer with the
 * commands waiting for it, paged under RouterOS's 64 KB fetch limit.
 *
 * Order matters: acks first (a grant confirmed is `granted` before anything else looks), then a
 * reboot check (after one, commands sent before are never re-sent: they may have run), then the
 * expiry sweep (an expired command is never sent), then the answer.
 */
import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { routers } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { loadAccess } from '../access-specs.ts';
import type { RouterRow } from '../adapter.ts';
import { grantError, markGranted, markRevoked } from '../grants.ts';
import { observeOnline } from '../online-metric.ts';
import { reconcileRouter } from '../jobs.ts';
import { activePppOf, activeSessionsOf, healthOf, storedReport, unsealPppSecret } from './adapter.ts';
import { syncRouterSessions } from '../sessions/sync-router-sessions.ts';
import {
  applyAcks,
  type CommandRow,
  expireCommands,
  finishCommand,
  loseSent,
  markSent,
  openCommands,
} from './commands.ts';
import { agentWaiters } from './wakeup.ts';
import { disconnectOps, grantOps, pppKickOps, pppSecretOps, revokeOps } from './ops.ts';
import { type AgentReport, parseReport, ReportError } from './report.ts';
import { commandScript, LONG_POLL_S, type ScriptCommand } from './script.ts';
import { bearer, hashAgentToken } from './token.ts';

/** A page of commands stays under this (the router keeps at most 64 KB of a reply). */
export const REPLY_BUDGET_BYTES = 16 * 1024;
const PAGE_ROWS = 100;
/** A held poll looks again this often even without a NOTIFY (one missed costs this much). */
const RECHECK_MS = 5_000;

export interface PollInput {
  authorization: string | undefined;
  body: string;
  /** Seconds the router lets us hold the request (0: answer at once). */
  wait: number;
  signal?: AbortSignal;
}

async function routerForToken(deps: Deps, authorization: string | undefined): Promise<RouterRow> {
  try {
    const r = await findAgentRouter(deps, authorization);
    deps.metrics.agentPoll(r.name, 'ok');
    return r;
  } catch (e) {
    if (e instanceof AppError) deps.metrics.agentPoll('unknown', 'refused');
    throw e;
  }
}

async function findAgentRouter(deps: Deps, authorization: string | undefined): Promise<RouterRow> {
  const token = bearer(authorization);
  const [r] = token
    ? await deps.db
        .select()
        .from(routers)
        .where(eq(routers.agentTokenHash, hashAgentToken(token)))
    : [];
  if (!r?.enabled || r.apiTransport !== 'agent') throw new AppError('unauthorized', 'Unknown agent token.');
  return r;
}

export async function agentPoll(deps: Deps, i: PollInput): Promise<{ script: string; commands: number }> {
  const router = await routerForToken(deps, i.authorization);
  let report: AgentReport;
  try {
    report = parseReport(i.body);
  } catch (e) {
    if (!(e instanceof ReportError)) throw e;
    // The body is the router's data (and maybe not even that): never into the logs.
    deps.log.warn({ router: router.name, bytes: i.body.length, reason: e.message }, 'agent report refused');
    throw new AppError('bad_request', 'The agent report could not be read.');
  }
  const now = deps.clock.now();
  const prev = storedReport(router);
  // A new boot id: the router's record of what it ran is gone (reboot, or its variables cleared).
  const rebooted = prev !== null && (prev.boot !== report.boot || report.uptimeSeconds < prev.uptimeSeconds);
  const wasUp = router.status === 'up';
  const { lost, granted } = await deps.db.transaction(async (tx) => {
    let lost = rebooted ? await loseSent(tx, router.id, now, 'router rebooted') : 0;
    const granted: string[] = [];
    for (const a of await applyAcks(tx, router.id, report.acks, now)) {
      if (a.result === 'dup') lost++;
      if (!a.access_code_id) continue;
      if (a.result === 'err') {
        await grantError(tx, a.access_code_id, router.id, `the router could not run the ${a.kind}`, now);
      } else if (a.result === 'ok' && a.kind === 'grant') {
        await markGranted(tx, [a.access_code_id], router.id, now);
        granted.push(a.access_code_id);
      } else if (a.result === 'ok' && a.kind === 'revoke')
        await markRevoked(tx, [a.access_code_id], router.id, now);
    }
    await expireCommands(tx, router.id, now);
    const stored = { ...report, acks: [], at: now.toISOString() };
    const health = { ...healthOf(report), checkedAt: now.toISOString() };
    await tx.execute(
      sql`UPDATE routers SET agent_report = ${JSON.stringify(stored)}::jsonb, agent_polled_at = ${now},
             status = 'up', last_seen_at = ${now}, last_error = NULL, health = ${JSON.stringify(health)}::jsonb
          WHERE id = ${router.id}`,
    );
    return { lost, granted };
  });
  await observeOnline(deps, granted, router.id, now, router.mode);
  // Every report carries the live sessions: keep the Sessions list as fresh as the poll.
  await syncRouterSessions(deps, router.id, activeSessionsOf(report), now, { ppp: activePppOf(report) });
  if (!wasUp || rebooted || lost) await reconcileRouter(deps, router.id);

  let reply = await buildReply(deps, router.id, report);
  const waitMs = Math.min(Math.max(0, i.wait), LONG_POLL_S) * 1000;
  // Real time, not deps.clock: this is how long an HTTP request is held open.
  const until = Date.now() + waitMs;
  while (reply.commands === 0 && Date.now() < until && !i.signal?.aborted) {
    await agentWaiters(deps.database).wait(router.id, Math.min(RECHECK_MS, until - Date.now()), i.signal);
    reply = await buildReply(deps, router.id, report);
  }
  return reply;
}

async function opsFor(deps: Deps, c: CommandRow, report: AgentReport, now: Date) {
  if (c.kind === 'grant') {
    const { spec } = await loadAccess(deps.db, deps, c.access_code_id!, now);
    return spec ? grantOps(spec, report) : null; // revoked or expired meanwhile: nothing to grant
  }
  if (c.kind === 'revoke') return revokeOps(c.access_code_id!, c.payload.username);
  if (c.kind === 'ppp-secret') return pppSecretOps(unsealPppSecret(deps, c.payload));
  if (c.kind === 'ppp-kick') return pppKickOps(c.payload.name ?? '');
  return disconnectOps(c.payload);
}

async function buildReply(
  deps: Deps,
  routerId: number,
  report: AgentReport,
): Promise<{ script: string; commands: number }> {
  const now = deps.clock.now();
  await expireCommands(deps.db, routerId, now);
  const rows = await openCommands(deps.db, routerId, PAGE_ROWS + 1);
  const picked: ScriptCommand[] = [];
  let more = rows.length > PAGE_ROWS;
  for (const c of rows.slice(0, PAGE_ROWS)) {
    const ops = await opsFor(deps, c, report, now);
    if (!ops) {
      await finishCommand(deps.db, c.id, 'superseded', now);
      continue;
    }
    const next = [...picked, { id: c.id, ops }];
    if (picked.length && Buffer.byteLength(commandScript(next, true)) > REPLY_BUDGET_BYTES) {
      more = true;
      break;
    }
    picked.push({ id: c.id, ops });
  }
  await markSent(
    deps.db,
    picked.map((p) => p.id),
    now,
  );
  // Just sent something: come back soon with the results (that is what a waiting customer needs).
  return { script: commandScript(picked, more || picked.length > 0), commands: picked.length };
}
