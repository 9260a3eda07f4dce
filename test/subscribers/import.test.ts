/** Importing through the admin API on a real database: all or nothing, reported per line. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../src/db/open.ts';
import { type AdminHarness, adminHarness, inject, makeUser, sessionFor } from '../admin/helpers.ts';

let h: AdminHarness;
let ownerId: number;
const call = async (method: string, url: string, body?: unknown) =>
  inject(h, await sessionFor(h, ownerId), method, url, body);
const count = async () =>
  (await query<{ n: number }>(h.app.deps.db, sql`SELECT count(*)::int AS n FROM subscribers`))[0]!.n;

beforeAll(async () => {
  h = await adminHarness();
  ownerId = (await makeUser(h, 'owner1', 'owner')).id;
  for (const name of ['kilimani', 'westlands'])
    expect(
      (await call('POST', '/api/admin/routers', { name, mode: 'radius', address: '10.0.0.2' })).statusCode,
    ).toBe(201);
});
afterAll(() => h.stop());

const CSV = [
  'username,password,phone,name,plan,router,due',
  'jane,pw-jane1,0712345678,Jane K,Home 10 Mbps,kilimani,2026-03-31',
  'otis,pw-otis1,,Otis,,westlands,',
].join('\n');

describe('subscriber import', () => {
  it('imports nothing from a file with any problem, and names each one', async () => {
    const text = `${CSV}\nJANE,pw-again1,,,,kilimani,\nbad user,pw-x1234,,,,kilimani,\nzed,pw-zed12,0712,,Gold,mars,soon`;
    const res = await call('POST', '/api/admin/subscribers/import', { text });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.nothingImported).toBe(true);
    expect(r.imported.map((i: { line: number }) => i.line)).toEqual([2, 3]);
    expect(r.problems).toEqual([
      { line: 4, reason: 'JANE: the same username as line 2' },
      { line: 5, reason: expect.stringMatching(/^bad user: username:/) },
      { line: 6, reason: expect.stringMatching(/^zed: phone: .*dueAt: /) },
    ]);
    expect(await count()).toBe(0);
    const unknown = await call('POST', '/api/admin/subscribers/import', {
      text: 'username,password,plan,router\nzed,pw-zed12,Gold,kilimani\nyan,pw-yan12,,mars',
    });
    expect(unknown.json().problems).toEqual([
      { line: 2, reason: 'zed: there is no service plan "Gold"' },
      { line: 3, reason: 'yan: there is no router "mars"' },
    ]);
  });

  it('a dry run checks only; a clean file imports every line in one go, each audited and synced', async () => {
    const dry = (await call('POST', '/api/admin/subscribers/import', { text: CSV, dryRun: true })).json();
    expect(dry).toMatchObject({ nothingImported: true, problems: [] });
    expect(await count()).toBe(0);
    const res = (
      await call('POST', '/api/admin/subscribers/import', { text: CSV, source: 'old-system.csv' })
    ).json();
    expect(res.nothingImported).toBe(false);
    expect(res.imported).toEqual([
      { line: 2, username: 'jane', accountNo: expect.stringMatching(/^W\d+$/), plan: 'Home 10 Mbps' },
      { line: 3, username: 'otis', accountNo: expect.stringMatching(/^W\d+$/), plan: 'Home 5 Mbps' },
    ]);
    const jane = (await call('GET', '/api/admin/subscribers/jane')).json().subscriber;
    expect(jane).toMatchObject({
      phone: '254712345678',
      routerName: 'kilimani',
      dueAt: '2026-03-30T21:00:00.000Z',
    });
    const [a] = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'subscriber.create' AND detail->>'import' = 'old-system.csv'`,
    );
    expect(a!.n).toBe(2);
    const [j] = await query<{ n: number }>(
      h.app.deps.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'subscriber.sync'`,
    );
    expect(j!.n).toBe(2);
    // The same file again: every line is now a duplicate.
    const again = (await call('POST', '/api/admin/subscribers/import', { text: CSV })).json();
    expect(again.problems.map((p: { reason: string }) => p.reason)).toEqual([
      'jane: already a subscriber',
      'otis: already a subscriber',
    ]);
  });

  it('takes a MikroTik export onto the router it came from, with a fallback plan for unknown profiles', async () => {
    const text = '/ppp secret\nadd name=m1 password=pw-m1234 profile=10M service=pppoe\n';
    expect((await call('POST', '/api/admin/subscribers/import', { text })).json().problems).toEqual([
      { line: 2, reason: 'm1: no router: give a router column, or the router the file came from' },
    ]);
    const r = (
      await call('POST', '/api/admin/subscribers/import', { text, router: 'westlands', plan: 'Home 10 Mbps' })
    ).json();
    expect(r.imported).toEqual([expect.objectContaining({ username: 'm1', plan: 'Home 10 Mbps' })]);
    expect((await call('POST', '/api/admin/subscribers/import', { text: '' })).statusCode).toBe(400);
  });
});
