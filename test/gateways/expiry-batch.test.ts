/**
 * Codes that expire together are taken off each router in batches (access/expire.ts expireDue →
 * gateway.revoke-batch), against the RouterOS simulator and a radius-mode NAS (a UDP peer on its
 * CoA port that answers Disconnect-Requests). The clock is the harness's ManualClock; nothing
 * here waits on real time. Statement counts are asserted, never times.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { expireDue } from '../../src/access/expire.ts';
import { extendCode } from '../../src/access/extend-code.ts';
import { SYSTEM } from '../../src/audit/index.ts';
import { query } from '../../src/db/open.ts';
import { addRouter } from '../../src/gateways/index.ts';
import { revokeBatchJob } from '../../src/gateways/jobs.ts';
import {
  attr,
  decodePacket,
  encodeResponse,
  getText,
  RadiusCode,
  verifyRequest,
} from '../../src/protocols/radius/index.ts';
import { type Harness, harness } from './helpers.ts';

const SECRET = 'nas-batch-secret-0123456789';
let h: Harness;
let peer: Socket | undefined;
afterEach(async () => {
  peer?.close();
  peer = undefined;
  await h?.close();
});

/**
 * A radius-mode router whose NAS is a UDP peer we run: it records each Disconnect-Request's
 * Acct-Session-Id and answers with `answer(id)` (ACK by default).
 */
async function radiusNas(answer: (acctSessionId: string) => 'ack' | 'nak' = () => 'ack') {
  const sock = createSocket('udp4');
  peer = sock;
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const received: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const req = decodePacket(msg);
    if (!verifyRequest(req, SECRET).ok) return;
    const id = getText(req, 'Acct-Session-Id') ?? '';
    received.push(id);
    const ack = answer(id) === 'ack';
    sock.send(
      encodeResponse({
        code: ack ? RadiusCode.DisconnectAck : RadiusCode.DisconnectNak,
        request: req,
        // 506 Resources-Unavailable: a refusal worth retrying (not "session not found").
        attributes: ack ? [] : [attr('Error-Cause', 506)],
        secret: SECRET,
      }),
      rinfo.port,
      rinfo.address,
    );
  });
  const { router } = await addRouter(
    h.app.deps,
    { mode: 'radius', name: 'nas1', address: '127.0.0.1', secret: SECRET, coaPort: sock.address().port },
    { actor: SYSTEM },
  );
  return { routerId: router.id, received };
}

const mac = (i: number) => `A4:00:00:00:0B:${i.toString(16).padStart(2, '0').toUpperCase()}`;

/** `n` codes on the api router, granted there (each an hour of wall clock from now). */
async function codes(n: number, from = 0) {
  const out: { accessCodeId: string; code: string }[] = [];
  for (let i = 0; i < n; i++) out.push(await h.issue({ mac: mac(from + i) }));
  await h.drain();
  return out;
}

async function liveSession(routerId: number, accessCodeId: string, acctSessionId: string, i: number) {
  await h.app.deps.db.execute(
    sql`INSERT INTO sessions (id, access_code_id, router_id, acct_session_id, mac, started_at, updated_at)
        VALUES (${randomUUID()}, ${accessCodeId}, ${routerId}, ${acctSessionId}, ${mac(i)}, ${h.clock.now()}, ${h.clock.now()})`,
  );
}

async function batchJobs() {
  const rows = await query<{ status: string; attempts: number; payload: unknown }>(
    h.app.deps.db,
    sql`SELECT status, attempts, payload FROM jobs WHERE kind = 'gateway.revoke-batch' ORDER BY id`,
  );
  return rows.map((r) => ({
    ...r,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as {
      routerId: number;
      accessCodeIds: string[];
    },
  }));
}

const sessionStatus = async (acctSessionId: string) =>
  (
    await query<{ status: string }>(
      h.app.deps.db,
      sql`SELECT status FROM sessions WHERE acct_session_id = ${acctSessionId}`,
    )
  )[0]?.status;

/** What one call sent to the database. */
async function counted<T>(f: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = h.t.database.stats.statements;
  const result = await f();
  return { result, statements: h.t.database.stats.statements - before };
}

const HOUR = 3600_000;

describe('expiry in batches', () => {
  it('codes expiring together: one gateway.revoke-batch per router, each code taken off once', async () => {
    h = await harness();
    const nas = await radiusNas();
    const cs = await codes(5);
    for (const [i, c] of cs.entries())
      h.sim.router.login({
        user: c.code,
        password: c.code,
        ip: `10.5.50.${10 + i}`,
        mac: mac(i),
        by: 'http-chap',
      });
    // Two of them are also online through the radius-mode router.
    await liveSession(nas.routerId, cs[3]!.accessCodeId, 'nas-s3', 3);
    await liveSession(nas.routerId, cs[4]!.accessCodeId, 'nas-s4', 4);
    // The operator's own user on the router is not ours to touch.
    h.sim.router.add('/ip/hotspot/user', { name: 'staff', password: 'staff-pass' });
    expect(h.active()).toHaveLength(5);

    h.clock.advance(HOUR);
    await h.drain();

    expect(h.ourUsers()).toEqual([]);
    expect(h.active()).toEqual([]);
    expect(h.sim.router.list('/ip/hotspot/cookie')).toEqual([]);
    expect(h.sim.router.list('/ip/hotspot/user').map((u) => u.name)).toContain('staff');
    expect(nas.received.sort()).toEqual(['nas-s3', 'nas-s4']);
    expect(await sessionStatus('nas-s3')).toBe('closed');
    const jobs = await batchJobs();
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done']);
    const byRouter = Object.fromEntries(
      jobs.map((j) => [j.payload.routerId, [...j.payload.accessCodeIds].sort()]),
    );
    expect(byRouter).toEqual({
      [h.routerId]: cs.map((c) => c.accessCodeId).sort(),
      [nas.routerId]: [cs[3]!.accessCodeId, cs[4]!.accessCodeId].sort(),
    });
    for (const c of cs) expect(await h.grantStatus(c.accessCodeId)).toBe('revoked');
    // No code went the one-by-one way, and every code's own expiry job is done.
    expect(await h.jobs('gateway.revoke')).toEqual([]);
    expect((await h.jobs('access.expire')).map((j) => j.status)).toEqual(Array(5).fill('done'));
  });

  it('a code extended before its deadline is left out of the batch and stays on its router', async () => {
    h = await harness();
    const [kept, ended] = await codes(2);
    h.clock.advance(HOUR / 2);
    await extendCode(h.app.deps, { accessCodeId: kept!.accessCodeId, minutes: 60, actor: SYSTEM });
    await h.drain();
    h.clock.advance(HOUR / 2);
    await h.drain();
    expect(h.ourUsers().map((u) => u.name)).toEqual([kept!.code]);
    const [job] = await batchJobs();
    expect(job!.payload.accessCodeIds).toEqual([ended!.accessCodeId]);
    expect(await h.grantStatus(kept!.accessCodeId)).toBe('granted');
  });

  it('a code live again when its batch runs is not cut off; the others in the batch are', async () => {
    h = await harness();
    const [live, dead] = await codes(2);
    await h.app.deps.db.execute(
      sql`UPDATE access_codes SET status = 'expired', expired_at = ${h.clock.now()} WHERE id = ${dead!.accessCodeId}`,
    );
    // A batch made when both looked due (a stale or duplicated job): the live one is guarded per code.
    await revokeBatchJob(h.app.deps, {
      routerId: h.routerId,
      accessCodeIds: [live!.accessCodeId, dead!.accessCodeId],
    });
    expect(h.ourUsers().map((u) => u.name)).toEqual([live!.code]);
    expect(await h.grantStatus(live!.accessCodeId)).toBe('granted');
    expect(await h.grantStatus(dead!.accessCodeId)).toBe('revoked');
  });

  it('a router that fails part of a batch is retried with only what is left', async () => {
    h = await harness();
    let refuse = true;
    // The NAS refuses s1 once (a busy NAS), takes every other request.
    const nas = await radiusNas((id) => {
      if (id !== 'nas-s1' || !refuse) return 'ack';
      refuse = false;
      return 'nak';
    });
    const cs = await codes(3);
    for (const [i, c] of cs.entries()) await liveSession(nas.routerId, c.accessCodeId, `nas-s${i}`, i);

    h.clock.advance(HOUR);
    await h.drain();
    expect(nas.received.sort()).toEqual(['nas-s0', 'nas-s1', 'nas-s2']);
    expect(await sessionStatus('nas-s0')).toBe('closed');
    expect(await sessionStatus('nas-s1')).toBe('active');
    const nasJob = (await batchJobs()).find((j) => j.payload.routerId === nas.routerId)!;
    expect(nasJob).toMatchObject({ status: 'queued', attempts: 1 });

    h.clock.advance(15_000);
    await h.drain();
    expect(nas.received.sort()).toEqual(['nas-s0', 'nas-s1', 'nas-s1', 'nas-s2']);
    expect(await sessionStatus('nas-s1')).toBe('closed');
    expect((await batchJobs()).map((j) => j.status)).toEqual(['done', 'done']);
  });

  it('an api router down for a batch gets the whole batch when it answers, and nothing twice after', async () => {
    h = await harness();
    const cs = await codes(3);
    h.sim.setFault('down');
    h.clock.advance(HOUR);
    await h.drain();
    expect(h.ourUsers()).toHaveLength(3);
    for (const c of cs) expect(await h.grantStatus(c.accessCodeId)).toBe('revoking');
    h.sim.setFault('none');
    h.clock.advance(15_000);
    await h.drain();
    expect(h.ourUsers()).toEqual([]);
    const [job] = await batchJobs();
    expect(job!.status).toBe('done');

    // A second run of the same batch (a worker that died before marking it done): one read,
    // nothing left, no router call and no write.
    h.sim.router.add('/ip/hotspot/user', {
      name: cs[0]!.code,
      password: 'x',
      comment: `wavu:${cs[0]!.accessCodeId}`,
    });
    const again = await counted(() => revokeBatchJob(h.app.deps, job!.payload));
    expect(again.statements).toBe(2);
    expect(h.ourUsers()).toHaveLength(1); // untouched: reconcile, not a stale batch, owns it now
  });

  it('a duplicate expiry run expires nothing twice and queues no second batch', async () => {
    h = await harness();
    await codes(3);
    h.clock.advance(HOUR);
    const first = await h.app.deps.db.transaction((tx) => expireDue(tx, h.app.deps, h.clock.now()));
    const second = await h.app.deps.db.transaction((tx) => expireDue(tx, h.app.deps, h.clock.now()));
    expect(first).toHaveLength(3);
    expect(second).toEqual([]);
    await h.drain();
    expect(await batchJobs()).toHaveLength(1);
    expect(h.ourUsers()).toEqual([]);
  });

  it('statements per batch do not grow with the number of codes', async () => {
    const measure = async (k: number) => {
      h = await harness();
      const nas = await radiusNas();
      const cs = await codes(k);
      for (const [i, c] of cs.entries()) await liveSession(nas.routerId, c.accessCodeId, `nas-s${i}`, i);
      h.clock.advance(HOUR);
      const expire = await counted(() =>
        h.app.deps.db.transaction((tx) => expireDue(tx, h.app.deps, h.clock.now())),
      );
      expect(expire.result).toHaveLength(k);
      const jobs = await batchJobs();
      const api = jobs.find((j) => j.payload.routerId === h.routerId)!;
      const radius = jobs.find((j) => j.payload.routerId === nas.routerId)!;
      const onApi = await counted(() => revokeBatchJob(h.app.deps, api.payload));
      const onRadius = await counted(() => revokeBatchJob(h.app.deps, radius.payload));
      expect(h.ourUsers()).toEqual([]);
      expect(nas.received).toHaveLength(k);
      const out = { expire: expire.statements, api: onApi.statements, radius: onRadius.statements };
      peer?.close();
      peer = undefined;
      await h.close();
      return out;
    };
    // 5 codes are one api query, 60 are two (QUERY_CHUNK in api-adapter.ts): same counts.
    const few = await measure(5);
    const many = await measure(60);
    // expire: the expiring UPDATE, their access.expire jobs done, one enqueue per router.
    // api: router, what is left, revoked marks, then seen() (last-seen mark).
    // radius: router, what is left, its sessions, CoA state read and reset, sessions closed, revoked marks, seen().
    expect(few).toEqual({ expire: 4, api: 4, radius: 8 });
    expect(many).toEqual(few);
    h = undefined as unknown as Harness;
  });
});
