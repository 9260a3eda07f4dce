/**
 * Two nodes sharing one Daraja app on PostgreSQL: every token fetched revokes the one before, so
 * the nodes must not both fetch at once (a cold start, the hourly renewal).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/lib/seal.ts';
import { dbTokenStore } from '../../src/payments/daraja.ts';
import { createDarajaClient } from '../../src/protocols/daraja/index.ts';
import { DarajaSim } from '../../src/sim/daraja/engine.ts';
import { DEMO_APP, DEMO_MERCHANT } from '../../src/sim/daraja/types.ts';
import { startDarajaSim } from '../../src/sim/daraja/standalone.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/db.ts';

/** The simulator, counting the tokens it hands out. */
class CountingSim extends DarajaSim {
  tokensIssued = 0;
  override oauth(authorization: string | undefined, grantType: string | undefined) {
    const r = super.oauth(authorization, grantType);
    if (r.status === 200) this.tokensIssued++;
    return r;
  }
}

let t: TestDatabase;
let sim: CountingSim;
let simApp: FastifyInstance;
let base: string;
beforeAll(async () => {
  t = await createTestDatabase();
  sim = new CountingSim({ autoDelayMs: 20 });
  ({ app: simApp, url: base } = await startDarajaSim({ host: '127.0.0.1', port: 0, sim }));
});
afterAll(async () => {
  await simApp.close();
  await t.drop();
});

// PGlite is one process with one client, whose single-flight covers it; the race is between nodes.
describe.skipIf(!onPostgres())('Daraja token across nodes', () => {
  it('two nodes starting cold fetch one token between them, and every call gets through', async () => {
    const sealer = createSealer(Buffer.alloc(32, 7));
    const node = async (database: TestDatabase['database']) =>
      createDarajaClient({
        baseUrl: base,
        consumerKey: DEMO_APP.consumerKey,
        consumerSecret: DEMO_APP.consumerSecret,
        shortcode: DEMO_MERCHANT.shortcode,
        passkey: DEMO_MERCHANT.passkey,
        type: 'paybill',
        timeoutMs: 5_000,
        tokenStore: dbTokenStore(database, sealer, 'daraja.token.test'),
      });
    const a = await node(t.database);
    const b = await node(await t.openAnother());
    const calls = [a, b, a, b, a, b, a, b].map((c) => c.stkQuery('ws_CO_none'));
    const answers = await Promise.all(calls);
    // Each reached Daraja with a valid token: the answer is about the unknown id, not the token.
    expect(answers.map((r) => r.ok === false && r.error.kind)).toEqual(Array(8).fill('bad_request'));
    expect(sim.tokensIssued).toBe(1);
  });
});
