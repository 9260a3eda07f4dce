/**
 * A MikroTik Wavu cannot dial (behind CGNAT): every change becomes a queued command that the
 * router picks up on its next poll, and the router's last report stands in for reading it.
 * Grants and revokes are confirmed only when the router acknowledges them (`confirmsLater`).
 */
import { groupBy } from '../../lib/group-by.ts';
import type { Deps } from '../../app/deps.ts';
import { RosConnectionError } from '../../protocols/routeros/errors.ts';
import type { Row } from '../../protocols/routeros/types.ts';
import type {
  AccessSpec,
  ActiveSession,
  GatewayAdapter,
  PppActive,
  PppSecretSpec,
  ReconcileReport,
  ReconcileWrite,
  RouterHealth,
  RouterRow,
  SessionRef,
} from '../adapter.ts';
import { accessIdFromComment, userAttrs } from '../mikrotik/hotspot-users.ts';
import { queueCommand } from './commands.ts';
import type { AgentReport } from './report.ts';
import { LONG_POLL_S, POLL_INTERVAL_S } from './script.ts';

/** Offline after this long without a poll: two missed polls after the longest a poll is held. */
export const OFFLINE_AFTER_MS = (LONG_POLL_S + 2 * POLL_INTERVAL_S) * 1000;

export interface StoredReport extends AgentReport {
  at: string;
}

export function storedReport(router: RouterRow): StoredReport | null {
  const r = router.agentReport as StoredReport | string | null;
  return typeof r === 'string' ? (JSON.parse(r) as StoredReport) : r;
}

/** Plain language for a router that has stopped polling; null while it polls. */
export function offlineReason(router: RouterRow, now: Date): string | null {
  const at = router.agentPolledAt;
  if (!at) return 'The router has not checked in yet: run the setup script on it (wavu routers script).';
  const s = Math.round((now.getTime() - at.getTime()) / 1000);
  if (s * 1000 <= OFFLINE_AFTER_MS) return null;
  return `The router has not checked in for ${s} s (it polls every ${POLL_INTERVAL_S} s): it may be off or offline, or its clock or certificate check may be failing.`;
}

/** What a report says about the router's health (the agent's equivalent of a health check). */
export function healthOf(report: AgentReport): RouterHealth {
  return {
    ok: true,
    latencyMs: 0,
    identity: report.identity,
    version: report.version,
    uptimeSeconds: report.uptimeSeconds,
    activeSessions: report.sessions.length,
  };
}

export class AgentAdapter implements GatewayAdapter {
  readonly confirmsLater = true;
  constructor(
    private readonly deps: Deps,
    private readonly router: RouterRow,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  private online(): StoredReport {
    const why = offlineReason(this.router, this.now());
    const report = storedReport(this.router);
    if (why || !report) throw new RosConnectionError(why ?? 'The router has not reported yet.');
    return report;
  }

  async grant(spec: AccessSpec): Promise<void> {
    await queueCommand(this.deps.db, {
      routerId: this.router.id,
      kind: 'grant',
      accessCodeId: spec.accessCodeId,
      now: this.now(),
    });
  }

  async revoke(accessCodeId: string, username?: string): Promise<void> {
    await queueCommand(this.deps.db, {
      routerId: this.router.id,
      kind: 'revoke',
      accessCodeId,
      payload: username ? { username } : {},
      now: this.now(),
    });
  }

  async disconnect(ref: SessionRef): Promise<void> {
    const payload: Record<string, string> = {};
    if (ref.mac) payload.mac = ref.mac.toUpperCase();
    else if (ref.ip) payload.ip = ref.ip;
    else if (ref.username) payload.username = ref.username;
    if (!Object.keys(payload).length) return;
    await queueCommand(this.deps.db, {
      routerId: this.router.id,
      kind: 'disconnect',
      payload,
      now: this.now(),
    });
  }

  /**
   * Queued like a grant; the password travels sealed in the queue and is opened only to build the
   * router's script. A newer secret for the subscriber supersedes one not yet sent.
   */
  async putPppSecret(secret: PppSecretSpec): Promise<void> {
    await queueCommand(this.deps.db, {
      routerId: this.router.id,
      kind: 'ppp-secret',
      payload: sealPppSecret(this.deps, secret),
      now: this.now(),
    });
  }

  /** Queued; returns how many sessions of that name the last report listed. */
  async removePppActive(name: string): Promise<number> {
    await queueCommand(this.deps.db, {
      routerId: this.router.id,
      kind: 'ppp-kick',
      payload: { name },
      now: this.now(),
    });
    return (storedReport(this.router)?.ppp ?? []).filter((p) => p.name === name).length;
  }

  /** The PPP sessions of the last report (offline: throws, as listActive does). */
  async listPppActive(): Promise<PppActive[]> {
    return activePppOf(this.online());
  }

  /** The sessions of the last report; an offline router throws (its sessions are then only "last known"). */
  async listActive(): Promise<ActiveSession[]> {
    return activeSessionsOf(this.online());
  }

  async health(): Promise<RouterHealth> {
    const why = offlineReason(this.router, this.now());
    const report = storedReport(this.router);
    if (why || !report) return { ok: false, latencyMs: 0, error: why ?? 'The router has not reported yet.' };
    return healthOf(report);
  }

  /**
   * The api-mode reconcile, over the report: our users that should not be there are revoked,
   * missing or drifted ones granted. Sessions of the operator's own users are not ours to judge
   * (the report lists only our users), so only our stale users' sessions are kicked. All of it
   * holds the router: the report is already here, and the writes are queued commands.
   */
  reconcile(loadDesired: () => Promise<AccessSpec[]>, write: ReconcileWrite): Promise<ReconcileReport> {
    return write([], () => this.converge(loadDesired));
  }

  private async converge(loadDesired: () => Promise<AccessSpec[]>): Promise<ReconcileReport> {
    const report = this.online();
    const desired = await loadDesired();
    const out: ReconcileReport = { added: 0, updated: 0, removed: 0, kicked: 0 };
    const wanted = new Map(desired.map((d) => [d.accessCodeId, d]));
    const now = this.now();
    for (const u of report.users) {
      const id = accessIdFromComment(u.comment);
      if (id === null || wanted.has(id)) continue;
      const q = await queueCommand(this.deps.db, {
        routerId: this.router.id,
        kind: 'revoke',
        accessCodeId: id,
        payload: { username: u.name! },
        now,
      });
      if (q) out.removed++;
    }
    // One pass over each list, not a search of the whole report per code (thousands of each).
    const usersNamed = groupBy(report.users, (u) => u.name ?? null);
    const sessionsOf = groupBy(report.sessions, (s) => s.user);
    for (const spec of desired) {
      const user = usersNamed.get(spec.code)?.[0];
      const live: Row[] = (sessionsOf.get(spec.code) ?? []).map((s) => ({
        uptime: `${s.uptimeSeconds}s`,
        'bytes-in': String(s.bytesIn),
        'bytes-out': String(s.bytesOut),
      }));
      if (user && !Object.keys(userAttrs(spec, user, live)).length) continue;
      const q = await queueCommand(this.deps.db, {
        routerId: this.router.id,
        kind: 'grant',
        accessCodeId: spec.accessCodeId,
        now,
      });
      if (q) out[user ? 'updated' : 'added']++;
    }
    return out;
  }
}

/** The live sessions an agent reported, as every gateway lists them (ours carry their code's id). */
export function activeSessionsOf(report: AgentReport): ActiveSession[] {
  const owner = new Map(report.users.map((u) => [u.name!, accessIdFromComment(u.comment)]));
  return report.sessions.map((s) => ({
    id: s.id,
    username: s.user,
    accessCodeId: owner.get(s.user) ?? null,
    mac: s.mac || null,
    ip: s.ip || null,
    uptimeSeconds: s.uptimeSeconds,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
  }));
}

/** The live PPP sessions an agent reported, as api mode lists them. */
export function activePppOf(report: AgentReport): PppActive[] {
  return (report.ppp ?? []).map((p) => ({
    id: p.id,
    name: p.name,
    address: p.address || null,
    callerId: p.callerId || null,
    uptimeSeconds: p.uptimeSeconds,
  }));
}

/** A PPP secret as an agent command's payload (strings only), its password sealed. */
export function sealPppSecret(deps: Pick<Deps, 'sealer'>, s: PppSecretSpec): Record<string, string> {
  return {
    name: s.name,
    passwordSealed: deps.sealer.seal(s.password),
    profile: s.profile,
    rateLimit: s.rateLimit ?? '',
    remoteAddress: s.remoteAddress ?? '',
    disabled: s.disabled ? 'yes' : 'no',
    comment: s.comment,
  };
}

export function unsealPppSecret(deps: Pick<Deps, 'sealer'>, p: Record<string, string>): PppSecretSpec {
  return {
    name: p.name ?? '',
    password: deps.sealer.unseal(p.passwordSealed ?? ''),
    profile: p.profile ?? '',
    rateLimit: p.rateLimit ? p.rateLimit : null,
    remoteAddress: p.remoteAddress ? p.remoteAddress : null,
    disabled: p.disabled === 'yes',
    comment: p.comment ?? '',
  };
}
