import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { DuplicateCache } from '../../src/radius/dedupe.ts';
import { parseMac } from '../../src/radius/mac.ts';
import { NasDirectory } from '../../src/radius/nas.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, makeDeps } from './helpers.ts';

let t: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  t = await createTestDatabase();
  deps = makeDeps(t, new ManualClock());
});
afterAll(async () => {
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NAS directory', () => {
  it('caches routers briefly, sees edits after the TTL and new routers on a miss', async () => {
    const id = await addRadiusRouter(deps, { name: 'a', secret: 'one', address: '192.0.2.1' });
    const dir = new NasDirectory(deps, 1_000, 50);
    expect((await dir.find('::ffff:192.0.2.1', undefined))?.secret).toBe('one');
    await deps.db.execute(
      sql`UPDATE routers SET radius_secret_sealed = ${deps.sealer.seal('two')} WHERE id = ${id}`,
    );
    // Within the TTL the snapshot answers (no query per packet)…
    expect((await dir.find('192.0.2.1', undefined))?.secret).toBe('one');
    await sleep(1_100);
    // …after it, the edit is visible.
    expect((await dir.find('192.0.2.1', undefined))?.secret).toBe('two');
    await deps.db.execute(sql`UPDATE routers SET enabled = false WHERE id = ${id}`);
    await sleep(1_100);
    expect(await dir.find('192.0.2.1', undefined)).toBeNull();
    await addRadiusRouter(deps, { name: 'b', secret: 'bee', address: '192.0.2.2' });
    await sleep(60);
    expect((await dir.find('192.0.2.2', undefined))?.name).toBe('b');
  });

  it('two routers behind one address are told apart only by NAS-Identifier', async () => {
    await addRadiusRouter(deps, { name: 'n1', secret: 's1', address: '198.51.100.7', identifier: 'site-1' });
    await addRadiusRouter(deps, { name: 'n2', secret: 's2', address: '198.51.100.7', identifier: 'site-2' });
    const dir = new NasDirectory(deps, 5_000, 0);
    expect((await dir.find('198.51.100.7', 'site-2'))?.name).toBe('n2');
    expect((await dir.find('198.51.100.7', 'site-1'))?.name).toBe('n1');
    expect(await dir.find('198.51.100.7', undefined)).toBeNull();
    // A new public address is fine for a router that signs its requests…
    expect((await dir.find('198.51.100.8', 'site-1'))?.name).toBe('n1');
    // …but not for one let off Message-Authenticator.
    await addRadiusRouter(deps, {
      name: 'n3',
      secret: 's3',
      address: '198.51.100.9',
      identifier: 'old',
      requireMa: false,
    });
    expect((await dir.find('198.51.100.9', 'old'))?.name).toBe('n3');
    expect(await dir.find('203.0.113.1', 'old')).toBeNull();
  });
});

describe('duplicate cache and MAC formats', () => {
  it('expires and bounds entries', async () => {
    const c = new DuplicateCache(500, 3);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, Promise.resolve(Buffer.from(k)));
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    expect(await c.get('d')).toEqual(Buffer.from('d'));
    await sleep(550);
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
      expect(parseMac(f), f).toBe('AA:BB:CC:DD:EE:0F');
    expect(parseMac('ACDEF34679')).toBeNull();
    expect(parseMac('AABBCCDDEE0G')).toBeNull();
  });
});
