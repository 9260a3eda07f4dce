import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAdmin } from '../../src/admin/cli-run.ts';
import { hashPassword, needsRehash, verifyPassword } from '../../src/admin/auth/password.ts';
import { IP_LIMIT, LOCK_AFTER } from '../../src/admin/auth/login.ts';
import { sessionCookie } from '../../src/admin/http/cookies.ts';
import type { Config } from '../../src/config.ts';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, PASSWORD, sessionFor } from './helpers.ts';

const loginReq = (h: AdminHarness, username: string, password: string, ip = '10.0.0.1') =>
  h.app.server!.inject({
    method: 'POST',
    url: '/api/admin/login',
    payload: { username, password },
    remoteAddress: ip,
  });

const cookieOf = (res: { headers: Record<string, unknown> }) =>
  String(res.headers['set-cookie']).split(';')[0]!;

describe('passwords', () => {
  it('are argon2id with a random salt and verify only the right password', async () => {
    const a = await hashPassword('a long enough password');
    const b = await hashPassword('a long enough password');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long enough password', a)).toBe(true);
    expect(await verifyPassword('a long enough passworD', a)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(needsRehash(a)).toBe(false);
    expect(needsRehash(a.replace('m=19456,t=2', 'm=4096,t=1'))).toBe(true);
  });
});

describe('first-owner setup', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await adminHarness();
  });
  afterAll(() => h.stop());

  it('works once, while no admin exists, and signs the owner in', async () => {
    expect((await h.app.server!.inject('/api/admin/setup')).json()).toEqual({ needsSetup: true });
    expect(
      (await inject(h, null, 'POST', '/api/admin/setup', { username: 'Amina', password: 'short' }))
        .statusCode,
    ).toBe(400);
    // Two browsers racing: exactly one owner.
    const [a, b] = await Promise.all([
      inject(h, null, 'POST', '/api/admin/setup', { username: 'amina', password: PASSWORD }),
      inject(h, null, 'POST', '/api/admin/setup', { username: 'brian', password: PASSWORD }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 410]);
    const won = a.statusCode === 200 ? a : b;
    const setCookie = String(won.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(won.json().user.role).toBe('owner');
    const me = await h.app.server!.inject({ url: '/api/admin/me', headers: { cookie: cookieOf(won) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().csrfToken).toBe(won.json().csrfToken);
    const owners = await query<{ n: number }>(h.app.deps.db, sql`SELECT count(*)::int AS n FROM admin_users`);
    expect(owners[0]!.n).toBe(1);
    expect((await h.app.server!.inject('/api/admin/setup')).json()).toEqual({ needsSetup: false });
    const again = await inject(h, null, 'POST', '/api/admin/setup', {
      username: 'mallory',
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(410);
  });
});

describe('first owner from ADMIN_USERNAME / ADMIN_PASSWORD', () => {
  it('is created at start when no admin exists, and never overwrites one', async () => {
    const h = await adminHarness({ ADMIN_USERNAME: 'Owner1', ADMIN_PASSWORD: 'env password 123' });
    try {
      const rows = await query<{ username: string; role: string }>(
        h.app.deps.db,
        sql`SELECT username, role FROM admin_users`,
      );
      expect(rows).toEqual([{ username: 'owner1', role: 'owner' }]);
      expect((await loginReq(h, 'owner1', 'env password 123')).statusCode).toBe(200);
    } finally {
      await h.stop();
    }
  });
});

describe('a rejected ADMIN_PASSWORD', () => {
  it('creates no owner and does not stop the server', async () => {
    const h = await adminHarness({ ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'boss password 1' });
    try {
      expect(await query(h.app.deps.db, sql`SELECT 1 FROM admin_users`)).toEqual([]);
      expect((await h.app.server!.inject('/api/admin/setup')).json()).toEqual({ needsSetup: true });
    } finally {
      await h.stop();
    }
  });
});

describe('login, lockout and throttling', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await adminHarness();
    await makeUser(h, 'cashier1', 'cashier');
    await makeUser(h, 'viewer1', 'viewer');
  });
  afterAll(() => h.stop());

  it('signs in with the right password and keeps only a hash of the session token', async () => {
    const res = await loginReq(h, 'CASHIER1 ', PASSWORD);
    expect(res.statusCode).toBe(200);
    const token = cookieOf(res).split('=')[1]!;
    const ids = await query<{ id: string }>(h.app.deps.db, sql`SELECT id FROM admin_sessions`);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.map((r) => r.id)).not.toContain(token);
    const audit = await query<{ action: string }>(
      h.app.deps.db,
      sql`SELECT action FROM audit_log WHERE actor = 'cashier1'`,
    );
    expect(audit.map((a) => a.action)).toContain('auth.login');
  });

  it('answers the same for an unknown user and a wrong password', async () => {
    await makeUser(h, 'someone', 'viewer');
    const a = await loginReq(h, 'nobody', PASSWORD, '10.0.0.2');
    const b = await loginReq(h, 'someone', 'wrong password!', '10.0.0.2');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
  });

  it('a NUL in the username is a 400, on sign-in, setup and staff create', async () => {
    const res = await loginReq(h, 'cashier1\u0000', PASSWORD, '10.0.0.3');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'validation',
      message: 'username: must not contain a NUL character',
    });
    const owner = await sessionFor(h, (await makeUser(h, 'owner-nul', 'owner')).id);
    const create = await inject(h, owner, 'POST', '/api/admin/staff', {
      username: 'new\u0000user',
      role: 'viewer',
      password: PASSWORD,
    });
    expect(create.statusCode).toBe(400);
    const setup = await inject(h, null, 'POST', '/api/admin/setup', {
      username: '\u0000',
      password: PASSWORD,
    });
    expect(setup.statusCode).toBe(400);
  });

  it(`${LOCK_AFTER} wrong passwords lock out that address only: the owner at another signs in`, async () => {
    const stranger = '10.1.0.1';
    // Concurrent guesses from one address all count.
    const wrong = await Promise.all(
      Array.from({ length: LOCK_AFTER }, () => loginReq(h, 'viewer1', 'not the password', stranger)),
    );
    expect(wrong.map((r) => r.statusCode)).toEqual(Array(LOCK_AFTER).fill(401));
    const locked = await loginReq(h, 'viewer1', PASSWORD, stranger);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.message).toMatch(
      /Too many wrong passwords for this account from your address/,
    );
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
    // The owner of the account, at their own address, is not affected.
    expect((await loginReq(h, 'viewer1', PASSWORD, '10.1.0.9')).statusCode).toBe(200);
    const actions = await query<{ ip: string }>(
      h.app.deps.db,
      sql`SELECT ip FROM audit_log WHERE actor = 'viewer1' AND action = 'auth.locked'`,
    );
    expect(actions).toEqual([{ ip: stranger }]);
    // Guessing on while locked does not extend the lock.
    h.clock.advance(10 * 60_000);
    const still = await loginReq(h, 'viewer1', 'still guessing', stranger);
    expect(still.statusCode).toBe(429);
    expect(Number(still.headers['retry-after'])).toBe(5 * 60);
    h.clock.advance(5 * 60_000 + 1000);
    expect((await loginReq(h, 'viewer1', PASSWORD, stranger)).statusCode).toBe(200);
    const rows = await query(h.app.deps.db, sql`SELECT 1 FROM admin_login_locks WHERE username = 'viewer1'`);
    expect(rows).toEqual([]);
  });

  it('wrong passwords more than 15 minutes apart do not add up', async () => {
    const ip = '10.1.1.1';
    for (let i = 0; i < LOCK_AFTER - 1; i++) await loginReq(h, 'viewer1', 'a wrong one', ip);
    h.clock.advance(15 * 60_000);
    for (let i = 0; i < LOCK_AFTER - 1; i++) await loginReq(h, 'viewer1', 'a wrong one', ip);
    expect((await loginReq(h, 'viewer1', PASSWORD, ip)).statusCode).toBe(200);
  });

  it('a lock reads exactly the same for an account that does not exist', async () => {
    const ip = '10.1.2.1';
    await makeUser(h, 'real1', 'viewer');
    for (let i = 0; i < LOCK_AFTER; i++) {
      expect((await loginReq(h, 'real1', 'wrong password', ip)).statusCode).toBe(401);
      expect((await loginReq(h, 'ghost1', 'wrong password', ip)).statusCode).toBe(401);
    }
    const real = await loginReq(h, 'real1', PASSWORD, ip);
    const ghost = await loginReq(h, 'ghost1', PASSWORD, ip);
    expect(real.statusCode).toBe(429);
    expect(ghost.statusCode).toBe(429);
    expect(ghost.json()).toEqual(real.json());
    expect(ghost.headers['retry-after']).toBe(real.headers['retry-after']);
  });

  it('the owner can unlock a locked account at once', async () => {
    const owner = await makeUser(h, 'owner9', 'owner');
    const ip = '10.2.0.1';
    for (let i = 0; i < LOCK_AFTER; i++) await loginReq(h, 'cashier1', 'nope nope nope', ip);
    expect((await loginReq(h, 'cashier1', PASSWORD, ip)).statusCode).toBe(429);
    const s = await sessionFor(h, owner.id);
    const staff = async () =>
      (await inject(h, s, 'GET', '/api/admin/staff'))
        .json()
        .items.find((u: any) => u.username === 'cashier1');
    expect(await staff()).toMatchObject({ locked: true, failedLogins: LOCK_AFTER });
    const id = (await staff()).id;
    expect((await inject(h, s, 'PATCH', `/api/admin/staff/${id}`, { unlock: true })).statusCode).toBe(200);
    expect(await staff()).toMatchObject({ locked: false, failedLogins: 0 });
    expect((await loginReq(h, 'cashier1', PASSWORD, ip)).statusCode).toBe(200);
  });

  it(`throttles one address after ${IP_LIMIT} attempts in the window, not others`, async () => {
    const ip = '10.9.9.9';
    for (let i = 0; i < IP_LIMIT; i++)
      expect((await loginReq(h, `ghost${i}`, 'whatever', ip)).statusCode).toBe(401);
    const over = await loginReq(h, 'cashier1', PASSWORD, ip);
    expect(over.statusCode).toBe(429);
    expect((await loginReq(h, 'cashier1', PASSWORD, '10.9.9.8')).statusCode).toBe(200);
    h.clock.advance(16 * 60_000);
    expect((await loginReq(h, 'cashier1', PASSWORD, ip)).statusCode).toBe(200);
  });

  it('sessions end on logout and after 8 idle hours', async () => {
    const res = await loginReq(h, 'cashier1', PASSWORD, '10.3.0.1');
    const cookie = cookieOf(res);
    const csrf = res.json().csrfToken;
    const me = () => h.app.server!.inject({ url: '/api/admin/me', headers: { cookie } });
    expect((await me()).statusCode).toBe(200);
    h.clock.advance(7 * 3600_000);
    expect((await me()).statusCode).toBe(200);
    h.clock.advance(7 * 3600_000);
    expect((await me()).statusCode).toBe(200); // touched 7 h ago
    h.clock.advance(8 * 3600_000 + 1000);
    expect((await me()).statusCode).toBe(401);

    const res2 = await loginReq(h, 'cashier1', PASSWORD, '10.3.0.1');
    const s2 = { cookie: cookieOf(res2), csrf: res2.json().csrfToken };
    expect((await inject(h, s2, 'POST', '/api/admin/logout')).statusCode).toBe(200);
    expect(
      (await h.app.server!.inject({ url: '/api/admin/me', headers: { cookie: s2.cookie } })).statusCode,
    ).toBe(401);
    expect(csrf).not.toBe(s2.csrf);
  });

  it('changing your password signs out your other sessions', async () => {
    const u = await makeUser(h, 'admin5', 'admin');
    const a = await sessionFor(h, u.id);
    const b = await sessionFor(h, u.id);
    const bad = await inject(h, a, 'POST', '/api/admin/me/password', {
      currentPassword: 'wrong',
      newPassword: 'brand new password',
    });
    expect(bad.statusCode).toBe(400);
    const ok = await inject(h, a, 'POST', '/api/admin/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'brand new password',
    });
    expect(ok.statusCode).toBe(200);
    expect((await inject(h, a, 'GET', '/api/admin/me')).statusCode).toBe(200);
    expect((await inject(h, b, 'GET', '/api/admin/me')).statusCode).toBe(401);
    expect((await loginReq(h, 'admin5', 'brand new password', '10.4.0.1')).statusCode).toBe(200);
  });

  it('a disabled account cannot sign in and its sessions stop working', async () => {
    const owner = await makeUser(h, 'owner7', 'owner');
    const v = await makeUser(h, 'viewer7', 'viewer');
    const vs = await sessionFor(h, v.id);
    const os = await sessionFor(h, owner.id);
    expect((await inject(h, os, 'PATCH', `/api/admin/staff/${v.id}`, { disabled: true })).statusCode).toBe(
      200,
    );
    expect((await inject(h, vs, 'GET', '/api/admin/me')).statusCode).toBe(401);
    expect((await loginReq(h, 'viewer7', PASSWORD, '10.5.0.1')).statusCode).toBe(403);
  });
});

describe('pruning', () => {
  it('forgets ended sessions and old sign-in counters, keeping live ones', async () => {
    const h = await adminHarness();
    try {
      const { pruneAdminState } = await import('../../src/admin/auth/prune.ts');
      const u = await makeUser(h, 'pruned', 'viewer');
      const old = await sessionFor(h, u.id);
      await loginReq(h, 'nobody', 'x', '10.7.0.1');
      h.clock.advance(9 * 3600_000);
      const live = await sessionFor(h, u.id);
      expect(await pruneAdminState(h.app.deps)).toEqual({ sessions: 1, counters: 1, locks: 1 });
      expect((await inject(h, live, 'GET', '/api/admin/me')).statusCode).toBe(200);
      expect((await inject(h, old, 'GET', '/api/admin/me')).statusCode).toBe(401);
    } finally {
      await h.stop();
    }
  });
});

describe('staff guards', () => {
  it('the last owner cannot be demoted or disabled, and nobody demotes themselves', async () => {
    const h = await adminHarness();
    try {
      const o1 = await makeUser(h, 'o1', 'owner');
      const s1 = await sessionFor(h, o1.id);
      expect((await inject(h, s1, 'PATCH', `/api/admin/staff/${o1.id}`, { role: 'admin' })).statusCode).toBe(
        409,
      );
      const created = await inject(h, s1, 'POST', '/api/admin/staff', {
        username: 'o2',
        role: 'owner',
        password: PASSWORD,
      });
      expect(created.statusCode).toBe(201);
      const o2 = created.json().id as number;
      const s2 = await sessionFor(h, o2);
      // Two owners demoting each other at the same moment: one must remain.
      const [a, b] = await Promise.all([
        inject(h, s1, 'PATCH', `/api/admin/staff/${o2}`, { role: 'viewer' }),
        inject(h, s2, 'PATCH', `/api/admin/staff/${o1.id}`, { role: 'viewer' }),
      ]);
      // The loser is refused by the last-owner rule, or finds itself signed out (demoted first).
      const codes = [a.statusCode, b.statusCode].sort();
      expect(codes[0]).toBe(200);
      expect([401, 409]).toContain(codes[1]);
      const owners = await query<{ n: number }>(
        h.app.deps.db,
        sql`SELECT count(*)::int AS n FROM admin_users WHERE role = 'owner'`,
      );
      expect(owners[0]!.n).toBe(1);
      const dup = await inject(h, a.statusCode === 200 ? s1 : s2, 'POST', '/api/admin/staff', {
        username: 'O1',
        role: 'viewer',
        password: PASSWORD,
      });
      expect(dup.statusCode).toBe(409);
    } finally {
      await h.stop();
    }
  });

  it('two owners demoting each other at once, again and again: never a 500, one owner left', async () => {
    const h = await adminHarness();
    try {
      let survivor = await makeUser(h, 'keeper0', 'owner');
      for (let i = 1; i <= 30; i++) {
        const rival = await makeUser(h, `rival${i}`, 'owner');
        const [s1, s2] = [await sessionFor(h, survivor.id), await sessionFor(h, rival.id)];
        const [a, b] = await Promise.all([
          inject(h, s1, 'PATCH', `/api/admin/staff/${rival.id}`, { role: 'viewer' }),
          inject(h, s2, 'PATCH', `/api/admin/staff/${survivor.id}`, { role: 'viewer' }),
        ]);
        const codes = [a.statusCode, b.statusCode].sort();
        expect(codes[0], `round ${i}`).toBe(200);
        expect([401, 409], `round ${i}: ${a.body} ${b.body}`).toContain(codes[1]);
        const owners = await query<{ id: number; username: string }>(
          h.app.deps.db,
          sql`SELECT id, username FROM admin_users WHERE role = 'owner' AND NOT disabled`,
        );
        expect(owners, `round ${i}`).toHaveLength(1);
        survivor = { ...owners[0]!, role: 'owner' };
      }
    } finally {
      await h.stop();
    }
  }, 120_000);
});

describe('session cookie', () => {
  it('is __Host- prefixed and Secure in production', () => {
    const c = sessionCookie({ demo: false } as Config, 'tok', 60);
    expect(c).toMatch(/^__Host-wavu_admin=tok; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60; Secure$/);
    expect(sessionCookie({ demo: true } as Config, 'tok', 60)).not.toMatch(/Secure/);
  });
});

describe('wavu admin create', () => {
  it('creates an account from --password-stdin and refuses a weak password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavu-cli-'));
    // The command is what is tested: it runs on its own embedded database in a temp folder.
    const env: Record<string, string | undefined> = {
      ...process.env,
      WAVU_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    };
    delete env.DATABASE_URL;
    const run = (args: string[], input: string) =>
      spawnSync(process.execPath, ['bin/wavu.js', 'admin', ...args], {
        input,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
    const ok = run(
      ['create', '--username', 'Amina', '--role', 'owner', '--password-stdin'],
      'a good long password\n',
    );
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/Created owner "amina"/);
    expect(ok.status).toBe(0);
    const weak = run(['create', '--username', 'brian', '--role', 'admin', '--password-stdin'], 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/at least 10/);
    const badRole = run(['create', '--username', 'brian', '--role', 'god', '--password-stdin'], 'x\n');
    expect(badRole.status).toBe(2);
    const reset = run(['reset-password', 'amina', '--password-stdin'], 'another long password\n');
    expect(reset.stderr).toBe('');
    expect(reset.stdout).toMatch(/Reset the password of "amina"/);
    expect(reset.status).toBe(0);
  }, 120_000);
});

describe('wavu admin unlock and reset-password', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await adminHarness();
    await makeUser(h, 'amina', 'owner');
  });
  afterAll(() => h.stop());

  /** The command in this process, on the test's database and clock, with `input` as stdin. */
  async function wavuAdmin(argv: string[], input = '') {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      out += String(c);
      return true;
    });
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      err += String(c);
      return true;
    });
    try {
      const status = await runAdmin(argv, {
        withDeps: (fn) => fn(h.app.deps),
        stdin: Readable.from([input]),
      });
      return { status, out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }
  const lockOut = async (ip: string) => {
    for (let i = 0; i < LOCK_AFTER; i++) await loginReq(h, 'amina', 'a wrong guess', ip);
    expect((await loginReq(h, 'amina', PASSWORD, ip)).statusCode).toBe(429);
  };
  const lastAudit = async () =>
    (
      await query<{ actor: string; action: string; detail: Record<string, unknown> }>(
        h.app.deps.db,
        sql`SELECT actor, action, detail FROM audit_log ORDER BY id DESC LIMIT 1`,
      )
    )[0]!;

  it('unlock lets the locked address in at once, without waiting out the 15 minutes', async () => {
    await lockOut('10.6.0.1');
    const r = await wavuAdmin(['unlock', 'Amina']);
    expect(r).toEqual({ status: 0, out: 'Unlocked "amina": every address may sign in again.\n', err: '' });
    expect(await lastAudit()).toMatchObject({
      actor: 'cli',
      action: 'staff.update',
      detail: { username: 'amina', unlocked: true },
    });
    expect((await loginReq(h, 'amina', PASSWORD, '10.6.0.1')).statusCode).toBe(200);
    const ghost = await wavuAdmin(['unlock', 'ghost']);
    expect(ghost.status).toBe(1);
    expect(ghost.err).toBe('wavu admin: there is no admin account named "ghost".\n');
  });

  it('reset-password --generate prints the new password, signs out everywhere and unlocks', async () => {
    await lockOut('10.6.0.2');
    const before = await sessionFor(
      h,
      (
        await query<{ id: number }>(h.app.deps.db, sql`SELECT id FROM admin_users WHERE username = 'amina'`)
      )[0]!.id,
    );
    const r = await wavuAdmin(['reset-password', 'amina', '--generate']);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    const generated = /^Password: (\S+)$/m.exec(r.out)?.[1];
    expect(generated).toBeDefined();
    expect(generated!.length).toBeGreaterThanOrEqual(10);
    expect(await lastAudit()).toMatchObject({
      actor: 'cli',
      action: 'staff.update',
      detail: { username: 'amina', password: 'reset', unlocked: true },
    });
    expect((await inject(h, before, 'GET', '/api/admin/me')).statusCode).toBe(401);
    expect((await loginReq(h, 'amina', PASSWORD, '10.6.0.3')).statusCode).toBe(401);
    expect((await loginReq(h, 'amina', generated!, '10.6.0.2')).statusCode).toBe(200);
  });

  it('reset-password --password-stdin takes the first line, and refuses a weak one', async () => {
    const weak = await wavuAdmin(['reset-password', 'amina', '--password-stdin'], 'short\n');
    expect(weak).toMatchObject({ status: 1, err: 'wavu admin: Use at least 10 characters.\n' });
    const ok = await wavuAdmin(
      ['reset-password', 'amina', '--password-stdin'],
      'typed in a pipe 42\nignored\n',
    );
    expect(ok.status).toBe(0);
    expect(ok.out).not.toMatch(/Password:/);
    expect((await loginReq(h, 'amina', 'typed in a pipe 42', '10.6.0.4')).statusCode).toBe(200);
  });

  it('names a mistake in how it was called', async () => {
    await expect(wavuAdmin(['unlock'])).rejects.toThrow('"admin unlock" needs the account\'s username');
    await expect(wavuAdmin(['unlock', 'amina', 'extra'])).rejects.toThrow('unexpected argument "extra"');
    await expect(wavuAdmin(['unlock', 'amina', '--generate'])).rejects.toThrow(
      '--generate does not apply to "admin unlock"',
    );
    await expect(wavuAdmin(['reset-password', 'amina', '--generate', '--password-stdin'])).rejects.toThrow(
      'not both',
    );
    await expect(wavuAdmin(['reset-password', 'amina'])).rejects.toThrow(
      'pass --password-stdin or --generate',
    );
    await expect(wavuAdmin(['frob'])).rejects.toThrow(
      'expected: admin create, admin unlock or admin reset-password',
    );
  });
});
