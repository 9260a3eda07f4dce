/** Agent routers end to end over real HTTP: the simulator runs the very script Wavu generates. */
import { sql } from 'drizzle-orm';
import { SYSTEM } from '../../src/audit/index.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { revokeCode } from '../../src/access/revoke.ts';
import { query } from '../../src/db/open.ts';
import { adapterFor } from '../../src/gateways/modes.ts';
import { healthCheckAll } from '../../src/gateways/jobs.ts';
import { routerById } from '../../src/gateways/routers/repo.ts';
import { type AgentHarness, agentHarness } from './agent-helpers.ts';

// Each test makes a fresh database (slow on a busy machine); nothing here waits on real time.
vi.setConfig({ testTimeout: 120_000 });

let h: AgentHarness;
afterEach(async () => {
  await h?.close();
});

const MAC = 'A4:00:00:00:00:01';
const ours = (h: AgentHarness) =>
  h.agent.router.list('/ip/hotspot/user').filter((u) => u.comment?.startsWith('wavu:'));

describe('agent router', () => {
  it('gets a grant on its poll, is confirmed by its ack, reports the login, and loses the user on revoke', async () => {
    h = await agentHarness();
    const { accessCodeId, code } = await h.issue();
    // The command row was written with the grant, before any job ran.
    expect((await h.commands()).map((c) => [c.kind, c.status])).toEqual([['grant', 'pending']]);
    await h.drain(); // the grant job only queues (no second command)
    expect(await h.grantStatus(accessCodeId)).toBe('pending');
    await h.poll();
    expect(h.agent.refused).toEqual([]);
    const [u] = ours(h);
    expect(u).toMatchObject({
      name: code,
      password: code,
      profile: 'wavu-plan-1',
      'mac-address': MAC,
      comment: `wavu:${accessCodeId}`,
    });
    // Acked on the quick follow-up poll of the same run.
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
    expect((await h.commands()).map((c) => [c.kind, c.status, c.result])).toEqual([['grant', 'done', 'ok']]);

    expect(
      h.agent.router.login({ user: code, password: code, ip: '10.5.50.9', mac: MAC, by: 'http-chap' }).ok,
    ).toBe(true);
    h.agent.router.addTraffic(MAC, 1000, 50_000);
    h.clock.advance(10_000);
    await h.poll();
    const router = (await routerById(h.app.deps.db, h.routerId))!;
    const active = await adapterFor(h.app.deps, router).listActive();
    expect(active).toMatchObject([
      { username: code, accessCodeId, mac: MAC, ip: '10.5.50.9', bytesIn: 1000, bytesOut: 50_000 },
    ]);

    await revokeCode(h.app.deps, { accessCodeId, actor: SYSTEM });
    await h.drain();
    expect(await h.grantStatus(accessCodeId)).toBe('revoking');
    await h.poll();
    expect(ours(h)).toEqual([]);
    expect(h.agent.router.list('/ip/hotspot/active')).toEqual([]);
    expect(h.agent.router.list('/ip/hotspot/cookie')).toEqual([]);
    expect(await h.grantStatus(accessCodeId)).toBe('revoked');
  });

  it('takes the user off at expiry', async () => {
    h = await agentHarness();
    const { accessCodeId, code } = await h.issue();
    await h.poll();
    expect(ours(h).map((u) => u.name)).toEqual([code]);
    h.clock.advance(3601_000);
    await h.drain(); // access.expire → gateway.revoke → a revoke command
    await h.poll();
    expect(ours(h)).toEqual([]);
    expect(await h.grantStatus(accessCodeId)).toBe('revoked');
  });

  it('never sends a command past its expiry', async () => {
    h = await agentHarness();
    await h.poll(); // the router is up
    const { accessCodeId } = await h.issue();
    h.clock.advance(11 * 60_000); // grant commands live 10 minutes
    await h.poll();
    expect(ours(h)).toEqual([]);
    expect((await h.commands()).map((c) => c.status)).toEqual(['expired']);
    expect(h.agent.journal.filter((w) => w.includes('/ip/hotspot/user add'))).toEqual([]);
    expect(await h.grantStatus(accessCodeId)).toBe('pending'); // reconcile will put it there
  });

  it('a revoke overtakes a grant still waiting: the code never reaches the router', async () => {
    h = await agentHarness();
    await h.poll();
    const { accessCodeId } = await h.issue();
    await revokeCode(h.app.deps, { accessCodeId, actor: SYSTEM });
    await h.drain();
    await h.poll();
    expect(h.agent.journal.filter((w) => w.includes('/ip/hotspot/user add'))).toEqual([]);
    const cmds = await h.commands();
    expect(cmds.map((c) => [c.kind, c.status])).toEqual([
      ['grant', 'superseded'],
      ['revoke', 'done'],
    ]);
    expect(await h.grantStatus(accessCodeId)).toBe('revoked');
  });

  it('is marked offline after missed polls, and converges through reconcile when it returns', async () => {
    h = await agentHarness();
    const a = await h.issue({ mac: 'A4:00:00:00:00:01' });
    await h.poll();
    h.clock.advance(60_000);
    await healthCheckAll(h.app.deps);
    let r = (await routerById(h.app.deps.db, h.routerId))!;
    expect(r.status).toBe('down');
    expect(r.lastError).toMatch(/has not checked in for 60 s/);
    await expect(adapterFor(h.app.deps, r).listActive()).rejects.toThrow(/has not checked in/);
    // While it is away: one code revoked, one new code sold.
    await revokeCode(h.app.deps, { accessCodeId: a.accessCodeId, actor: SYSTEM });
    const b = await h.issue({ mac: 'A4:00:00:00:00:02' });
    await h.drain();
    await h.poll();
    r = (await routerById(h.app.deps.db, h.routerId))!;
    expect(r.status).toBe('up');
    expect(ours(h).map((u) => u.name)).toEqual([b.code]);
    expect(await h.grantStatus(a.accessCodeId)).toBe('revoked');
    expect(await h.grantStatus(b.accessCodeId)).toBe('granted');
  });

  it('killed in the middle of a command and restarted: converges, nothing run twice', async () => {
    h = await agentHarness();
    const statePath = `${h.app.deps.config.dataDir}/router-flash.json`;
    await h.reboot({ statePath });
    await h.agent.runScript(h.install);
    await h.poll();
    h.clock.advance(30_000);
    const { accessCodeId, code } = await h.issue();
    // Power cut right after the first write of the grant (its profile), before the user.
    const cut = new Error('power cut');
    await h.reboot({
      statePath,
      dieAfterWrites: 1,
      onDie: () => {
        throw cut;
      },
    });
    await h.poll();
    expect(h.agent.logs.some((l) => /power cut/.test(l.message))).toBe(true);
    expect(ours(h)).toEqual([]);
    expect((await h.commands()).map((c) => c.status)).toEqual(['sent']);
    h.clock.advance(5_000);
    await h.reboot({ statePath }); // same flash, uptime back at zero, variables gone
    await h.poll();
    expect(ours(h).map((u) => u.name)).toEqual([code]);
    expect(await h.grantStatus(accessCodeId)).toBe('granted');
    const cmds = await h.commands();
    expect(cmds.map((c) => [c.kind, c.status])).toEqual([
      ['grant', 'lost'], // never sent again: it may have run
      ['grant', 'done'], // reconcile's fresh one
    ]);
    const adds = h.agent.journal.filter((w) => w.startsWith('/ip/hotspot/user add'));
    expect(adds).toHaveLength(1);
    expect(h.agent.journal.filter((w) => w.startsWith('/ip/hotspot/user/profile add'))).toHaveLength(1);
  });
});

describe('agent endpoint, bad input', () => {
  const post = (h: AgentHarness, body: string, auth?: string) =>
    h.app.server!.inject({
      method: 'POST',
      url: '/agent/v1/poll?wait=0',
      headers: { 'content-type': 'text/plain', ...(auth ? { authorization: auth } : {}) },
      payload: body,
    });
  const report = (extra = '') => `wavu-agent 1\nidentity R\nversion 6.49.10\nuptime 00:01:00\n${extra}`;

  it('a wrong, missing or old token gets 401 and nothing else', async () => {
    h = await agentHarness();
    for (const auth of [undefined, 'Bearer nope-nope-nope-nope-nope', `Basic ${h.token}`]) {
      const res = await post(h, report(), auth);
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain(':global');
    }
    const { rotateAgentToken } = await import('../../src/gateways/index.ts');
    const fresh = await rotateAgentToken(h.app.deps, h.routerId);
    expect((await post(h, report(), `Bearer ${h.token}`)).statusCode).toBe(401);
    const [r] = await query<{ agent_polled_at: unknown }>(
      h.app.deps.db,
      sql`SELECT agent_polled_at FROM routers`,
    );
    expect(r!.agent_polled_at).toBeNull();
    expect((await post(h, report(), `Bearer ${fresh}`)).statusCode).toBe(200);
  });

  it('a replayed ack is ignored', async () => {
    h = await agentHarness();
    const { accessCodeId } = await h.issue();
    await h.poll();
    const [c] = await h.commands();
    expect(c!.status).toBe('done');
    await revokeCode(h.app.deps, { accessCodeId, actor: SYSTEM });
    await h.drain();
    // The old grant's ack again (and an id that was never ours): nothing changes.
    const res = await post(h, report(`a ${c!.id} ok\na 999999 ok\n`), `Bearer ${h.token}`);
    expect(res.statusCode).toBe(200);
    expect(await h.grantStatus(accessCodeId)).toBe('revoking');
    const cmds = await h.commands();
    expect(cmds[0]).toMatchObject({ status: 'done', result: 'ok' });
    expect(cmds[1]).toMatchObject({ kind: 'revoke', status: 'sent' });
  });

  it('a garbled or huge report gets 400 and is logged without its body', async () => {
    const lines: string[] = [];
    const pino = (await import('pino')).default;
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    h = await agentHarness({ log });
    const auth = `Bearer ${h.token}`;
    const secret = 'SECRETPAYLOAD42';
    for (const body of [
      `hello ${secret}`,
      report(`s *1|zz|1.2.3.4|1s|1|2|${secret}\n`),
      report(`x ${secret}\n`),
      report(`s ${'A'.repeat(300 * 1024)}${secret}`),
      '',
    ]) {
      const res = await post(h, body, auth);
      expect(res.statusCode).toBe(400);
    }
    const refused = lines.filter((l) => l.includes('agent report refused'));
    expect(refused.length).toBe(5);
    expect(lines.join('')).not.toContain(secret);
  });
});
