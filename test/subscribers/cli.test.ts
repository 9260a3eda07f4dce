/**
 * `wavu subscribers` as an operator runs it: the real binary in a child process, on its own
 * database (embedded, or a fresh PostgreSQL database on the PostgreSQL run).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'wavu-subscribers-cli-'));
let t: TestDatabase | null = null;

function wavu(args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/wavu.js', ...args],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          WAVU_DATA_DIR: dir,
          LOG_LEVEL: 'silent',
          ...(t?.url ? { DATABASE_URL: t.url } : {}),
        },
        timeout: 90_000,
      },
      (e, stdout, stderr) =>
        resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

beforeAll(async () => {
  if (onPostgres()) t = await createTestDatabase({ migrate: false });
  const r = await wavu(['routers', 'add', 'kilimani', '--mode', 'radius', '--address', '10.0.0.2']);
  expect(r.status, r.err).toBe(0);
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('wavu subscribers', { timeout: 180_000 }, () => {
  it('adds, lists, shows, suspends and resumes a subscriber', async () => {
    const add = await wavu([
      'subscribers',
      'add',
      '--username',
      'jane.k',
      '--password',
      's3cret-pw',
      '--phone',
      '0712345678',
      '--router',
      'kilimani',
      '--name',
      'Jane Kamau',
    ]);
    expect(add.status, add.err).toBe(0);
    const account = add.out.match(/account (W\d+)/)?.[1];
    expect(account, add.out).toBeDefined();
    expect(add.out).toContain('Home 5 Mbps');

    const dup = await wavu([
      'subscribers',
      'add',
      '--username',
      'JANE.K',
      '--password',
      'abcd1234',
      '--router',
      'kilimani',
    ]);
    expect(dup.status).toBe(1);
    expect(dup.err.trim()).toBe(
      'wavu subscribers: There is already a subscriber with the username "JANE.K".',
    );
    const badPhone = await wavu([
      'subscribers',
      'add',
      '--username',
      'x1',
      '--password',
      'abcd1234',
      '--router',
      'kilimani',
      '--phone',
      '123',
    ]);
    expect(badPhone.status).toBe(2);
    expect(badPhone.err).toContain('--phone: Enter a Kenyan mobile number');
    const noRouter = await wavu([
      'subscribers',
      'add',
      '--username',
      'x1',
      '--password',
      'abcd1234',
      '--router',
      'mars',
    ]);
    expect(noRouter.status).toBe(1);
    expect(noRouter.err).toContain('There is no router "mars"');

    const list = await wavu(['subscribers', 'list']);
    expect(list.status, list.err).toBe(0);
    expect(list.out).toMatch(
      new RegExp(
        `^${account}\\s+jane\\.k\\s+Home 5 Mbps\\s+active\\s+due \\d{4}-\\d\\d-\\d\\d\\s+owes KES 1,500$`,
        'm',
      ),
    );

    const show = await wavu(['subscribers', 'show', account!.toLowerCase()]);
    expect(show.status, show.err).toBe(0);
    expect(show.out).toContain('Jane Kamau');
    expect(show.out).toContain('router:  kilimani');
    expect(show.out).not.toContain('s3cret');

    const sus = await wavu(['subscribers', 'suspend', 'jane.k', '--reason', 'moved house']);
    expect(sus.out.trim()).toBe(`${account} jane.k is suspended.`);
    expect((await wavu(['subscribers', 'list', '--state', 'suspended'])).out).toContain('jane.k');
    expect((await wavu(['subscribers', 'suspend', 'jane.k'])).status).toBe(1);
    const res = await wavu(['subscribers', 'resume', account!]);
    expect(res.out.trim()).toBe(`${account} jane.k is active again.`);
    expect((await wavu(['subscribers', 'show', 'nobody'])).status).toBe(1);
    expect((await wavu(['subscribers', 'list', '--state', 'gone'])).status).toBe(2);
  });

  it('imports a MikroTik /ppp secret export all or nothing, line by line', async () => {
    const file = join(dir, 'secrets.rsc');
    writeFileSync(
      file,
      [
        '# dec/01/2026 10:00:00 by RouterOS 7.16',
        '/ppp secret',
        'add comment="Peter Otieno 0722 000 111" name=peter password=pw-peter1 \\',
        '    profile="Home 10 Mbps" service=pppoe',
        'add name=jane.k password=other123 service=pppoe',
        'add name=vpn1 password=vpnpass1 service=l2tp',
      ].join('\n'),
    );
    const bad = await wavu(['subscribers', 'import', file, '--router', 'kilimani']);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('line 3: ok: peter on Home 10 Mbps');
    expect(bad.out).toContain('line 5: NOT imported: jane.k: already a subscriber');
    expect(bad.out).toContain('line 6: NOT imported: vpn1: service=l2tp is not PPPoE');
    expect(bad.out).toContain('Nothing imported');
    expect((await wavu(['subscribers', 'list', '--search', 'peter'])).out).toContain('No subscribers match.');

    writeFileSync(
      file,
      [
        '/ppp secret',
        'add comment="Peter Otieno 0722 000 111" name=peter password=pw-peter1 profile="Home 10 Mbps" service=pppoe disabled=yes',
      ].join('\n'),
    );
    const ok = await wavu(['subscribers', 'import', file, '--router', 'kilimani']);
    expect(ok.status, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/line 2: imported: peter as W\d+ on Home 10 Mbps/);
    const show = await wavu(['subscribers', 'show', 'peter']);
    expect(show.out).toContain('state:   suspended');
    expect(show.out).toContain('phone:   254722000111');
  });
});
