import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/app/create-deps.ts';
import type { Deps } from '../../src/app/deps.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { DuplicateCache } from '../../src/radius/dedupe.ts';
import { normalizeMac } from '../../src/lib/mac.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import { NasDirectory } from '../../src/radius/nas.ts';
import { testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, makeDeps } from './helpers.ts';

/** A logger whose JSON lines the test reads. */
function captureLog() {
  let out = '';
  const logger = pino(
    { level: 'warn' },
    {
      write(s: string) {
        out += s;
      },
    },
  );
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { router?: string; msg: string });
  return { logger, lines };
}

let t: TestDatabase;
let deps: Deps;
let clock: ManualClock;
beforeAll(async () => {
  t = await createTestDatabase();
  clock = new ManualClock();
  deps = makeDeps(t, clock);
});
afterAll(async () => {
  await t.drop();
});

describe('NAS directory', () => {
  it('sees an edit made anywhere at once, by NOTIFY, without waiting for the TTL', async () => {
    const id = await addRadiusRouter(deps, { name: 'notified', secret: 'old', address: '192.0.2.91' });
    // A TTL far beyond the test: only the notification can make the edit visible.
    const dir = new NasDirectory(deps, 3_600_000, 3_600_000);
    const unfollow = await dir.follow(t.database);
    try {
      expect((await dir.find('192.0.2.91', undefined))?.secret).toBe('old');
      await deps.db.execute(
        sql`UPDATE routers SET radius_secret_sealed = ${deps.sealer.seal('new')} WHERE id = ${id}`,
      );
      await expect.poll(async () => (await dir.find('192.0.2.91', undefined))?.secret).toBe('new');
      await deps.db.execute(sql`UPDATE routers SET enabled = false WHERE id = ${id}`);
      await expect.poll(() => dir.find('192.0.2.91', undefined)).toBeNull();
    } finally {
      await unfollow();
    }
  });

  it('caches routers briefly, sees edits after the TTL and new routers on a miss', async () => {
    const id = await addRadiusRouter(deps, { name: 'a', secret: 'one', address: '192.0.2.1' });
    const dir = new NasDirectory(deps, 1_000, 50);
    expect((await dir.find('::ffff:192.0.2.1', undefined))?.secret).toBe('one');
    await deps.db.execute(
      sql`UPDATE routers SET radius_secret_sealed = ${deps.sealer.seal('two')} WHERE id = ${id}`,
    );
    // Within the TTL the snapshot answers (no query per packet)…
    clock.advance(1_000);
    expect((await dir.find('192.0.2.1', undefined))?.secret).toBe('one');
    clock.advance(1);
    // …after it, the edit is visible.
    expect((await dir.find('192.0.2.1', undefined))?.secret).toBe('two');
    await deps.db.execute(sql`UPDATE routers SET enabled = false WHERE id = ${id}`);
    clock.advance(1_001);
    expect(await dir.find('192.0.2.1', undefined)).toBeNull();
    // A miss reloads, but not more often than every 50 ms.
    await addRadiusRouter(deps, { name: 'b', secret: 'bee', address: '192.0.2.2' });
    clock.advance(49);
    expect(await dir.find('192.0.2.2', undefined)).toBeNull();
    clock.advance(1);
    expect((await dir.find('192.0.2.2', undefined))?.name).toBe('b');
  });

  it('two routers behind one address are told apart only by NAS-Identifier', async () => {
    await addRadiusRouter(deps, { name: 'n1', secret: 's1', address: '198.51.100.7', identifier: 'site-1' });
    await addRadiusRouter(deps, { name: 'n2', secret: 's2', address: '198.51.100.7', identifier: 'site-2' });
    const dir = new NasDirectory(deps, 5_000, 0);
    expect((await dir.find('198.51.100.7', 'site-2'))?.name).toBe('n2');
    expect((await dir.find('198.51.100.7', 'site-1'))?.name).toBe('n1');
    expect(await dir.find('198.51.100.7', undefined)).toBeNull();
  });

  it('takes a NAS-Identifier only from the addresses allowed for that router', async () => {
    const log = captureLog();
    await addRadiusRouter(deps, { name: 'own', secret: 's1', address: '198.51.100.20', identifier: 'own' });
    await addRadiusRouter(deps, {
      name: 'listed',
      secret: 's2',
      address: '198.51.100.21',
      identifier: 'listed',
      allowFrom: '203.0.113.0/24,2001:db8::7',
    });
    await addRadiusRouter(deps, {
      name: 'cgnat',
      secret: 's3',
      address: '198.51.100.22',
      identifier: 'cgnat',
      allowFrom: 'any',
    });
    await addRadiusRouter(deps, {
      name: 'unsigned',
      secret: 's4',
      address: '198.51.100.23',
      identifier: 'unsigned',
      allowFrom: 'any',
      requireMa: false,
    });
    const dir = new NasDirectory({ ...deps, log: log.logger }, 5_000, 0);
    // The right NAS-Identifier (and, later, secret) from a stranger's address is not enough.
    expect(await dir.find('203.0.113.9', 'own')).toBeNull();
    expect(dir.byIdentifier('own')?.name).toBe('own');
    expect((await dir.find('198.51.100.20', 'own'))?.name).toBe('own');
    // Listed networks and addresses, IPv4 and IPv6.
    expect((await dir.find('203.0.113.9', 'listed'))?.name).toBe('listed');
    expect((await dir.find('::ffff:203.0.113.200', 'listed'))?.name).toBe('listed');
    expect((await dir.find('2001:db8::7', 'listed'))?.name).toBe('listed');
    expect(await dir.find('203.0.114.1', 'listed')).toBeNull();
    expect((await dir.find('198.51.100.21', 'listed'))?.name).toBe('listed');
    // Known by address alone only from its own address.
    expect(await dir.find('203.0.113.9', undefined)).toBeNull();
    // 'any' takes every address, and says so once.
    expect((await dir.find('192.0.2.99', 'cgnat'))?.name).toBe('cgnat');
    expect(log.lines().filter((l) => l.router === 'cgnat')).toHaveLength(1);
    expect(log.lines().find((l) => l.router === 'cgnat')?.msg).toContain('accepts RADIUS from any address');
    // …but not for a router let off Message-Authenticator: unsigned requests need its own address.
    expect(await dir.find('192.0.2.99', 'unsigned')).toBeNull();
    expect((await dir.find('198.51.100.23', 'unsigned'))?.name).toBe('unsigned');
  });
});

describe('RADIUS service start', () => {
  it('warns at once about every router open to any address', async () => {
    await addRadiusRouter(deps, { name: 'open-1', secret: 'x', address: '198.51.100.30', allowFrom: 'any' });
    const log = captureLog();
    const server = await startRadiusService(
      createDeps({ config: testConfig(), database: t.database, clock, log: log.logger }),
      { host: '127.0.0.1', authPort: 0, acctPort: 0 },
    );
    try {
      const warned = log
        .lines()
        .filter((l) => l.msg.includes('accepts RADIUS from any address'))
        .map((l) => l.router);
      expect(warned).toContain('open-1');
      expect(server.stats.received).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

describe('duplicate cache and MAC formats', () => {
  it('expires and bounds entries', async () => {
    const c = new DuplicateCache(500, 3, clock);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, Promise.resolve(Buffer.from(k)));
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    clock.advance(500);
    expect(await c.get('d')).toEqual(Buffer.from('d'));
    clock.advance(1);
    expect(c.get('d')).toBeUndefined();
  });

  it('reads every radius-mac-format MikroTik offers', () => {
    for (const f of [
      'AA:BB:CC:DD:EE:0F',
      'AA BB CC DD EE 0F',
      'AABBCC-DDEE0F',
      'AABBCCDDEE0F',
      'aa-bb-cc-dd-ee-0f',
      'AABB:CCDD:EE0F',
      'AABBCC:DDEE0F',
    ])
      expect(normalizeMac(f), f).toBe('AA:BB:CC:DD:EE:0F');
    expect(normalizeMac('ACDEF34679')).toBeNull();
    expect(normalizeMac('AABBCCDDEE0G')).toBeNull();
  });
});
