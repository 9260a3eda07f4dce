import type { Logger } from 'pino';
/** A real app (HTTP on an ephemeral port) with the Daraja simulator mounted, on a fresh database. */
import { sql } from 'drizzle-orm';
import { type App, createApp } from '../../src/app/run.ts';
import type { Role } from '../../src/app/module.ts';
import { loadModules } from '../../src/app/modules.ts';
import { type Database, query } from '../../src/db/open.ts';
import { OffsetClock } from '../../src/lib/clock.ts';
import { callbackUrls } from '../../src/payments/daraja.ts';
import { DarajaSim } from '../../src/sim/daraja/engine.ts';
import type { DarajaSimOptions } from '../../src/sim/daraja/types.ts';
import { darajaSimModule } from '../../src/sim/daraja/module.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export interface PaymentsHarness {
  t: TestDatabase;
  app: App;
  sim: DarajaSim;
  clock: OffsetClock;
  url: string;
  stop(): Promise<void>;
}

export async function startPaymentsApp(
  o: {
    sim?: DarajaSimOptions;
    roles?: Role[];
    t?: TestDatabase;
    /** Another node on the same database (PostgreSQL): no simulator of its own; use this one. */
    database?: Database;
    darajaBaseUrl?: string;
    clock?: OffsetClock;
    workerOptions?: { concurrency?: number; pollMs?: number };
    /** Environment variables on top of the test config (e.g. MPESA_SHORTCODE to lock it). */
    env?: Record<string, string>;
    /** The app's logger (default: silent), for tests that read what was logged. */
    log?: Logger;
  } = {},
): Promise<PaymentsHarness> {
  const t = o.t ?? (await createTestDatabase());
  const config = testConfig(o.env);
  const clock = o.clock ?? new OffsetClock();
  const sim = new DarajaSim({
    apps: [{ consumerKey: config.mpesa.consumerKey, consumerSecret: config.mpesa.consumerSecret }],
    merchants: [{ shortcode: config.mpesa.shortcode, passkey: config.mpesa.passkey, tills: ['174380'] }],
    autoDelayMs: 10,
    promptTimeoutMs: 60_000,
    ...o.sim,
  });
  const app = await createApp({
    config,
    roles: o.roles ?? ['serve'],
    log: o.log ?? silentLog(),
    database: o.database ?? t.database,
    clock,
    modules: [
      ...(await loadModules()).filter((m) => m.name !== 'sim-daraja'),
      ...(o.darajaBaseUrl ? [] : [darajaSimModule({ sim })]),
    ],
    workerOptions: o.workerOptions,
  });
  // Ephemeral port: point the callbacks and the Daraja base at it now that it is known.
  config.publicUrl = app.url!.replace('0.0.0.0', '127.0.0.1');
  config.mpesa.baseUrl = o.darajaBaseUrl ?? `${config.publicUrl}/sim/daraja`;
  if (!o.darajaBaseUrl) {
    const urls = callbackUrls(config);
    const reg = await app.deps.daraja.registerC2bUrls({
      confirmationUrl: urls.c2bConfirm,
      validationUrl: urls.c2bValidate,
    });
    if (!reg.ok) throw new Error(`C2B registration failed: ${JSON.stringify(reg.error)}`);
  }
  return {
    t,
    app,
    sim,
    clock,
    url: config.publicUrl,
    async stop() {
      sim.close();
      await app.stop();
      if (!o.t && !o.database) await t.drop();
    },
  };
}

export async function purchaseRow(h: PaymentsHarness, id: string) {
  return (await query<Record<string, any>>(h.app.deps.db, sql`SELECT * FROM purchases WHERE id = ${id}`))[0]!;
}

export async function codesFor(h: PaymentsHarness, purchaseId: string): Promise<number> {
  const r = await query<{ n: number }>(
    h.app.deps.db,
    sql`SELECT count(*)::int AS n FROM access_codes WHERE purchase_id = ${purchaseId}`,
  );
  return Number(r[0]!.n);
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let n = 0;
/** A fresh phone per test (no magic suffix): 2547 + 8 digits from a counter. */
export function freshPhone(suffix?: string): string {
  n++;
  const base = `2547${String(10_000_000 + ((process.pid * 131 + n * 7919) % 89_999_999)).slice(0, 8)}`;
  const p = suffix ? base.slice(0, 12 - suffix.length) + suffix : base;
  // Avoid accidental magic suffixes.
  return !suffix && /(0001|0017|1019|1025|1032|1037|2001|8006|9999|4999|0404|0500|0000|1111)$/.test(p)
    ? freshPhone()
    : p;
}
