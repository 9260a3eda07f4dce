/**
 * Photographs the operations pages for docs/admin/: the troubleshooter on a customer whose code a
 * reset router lost, on one who paid the wrong amount, on a code whose device slot is taken (free
 * a slot) and with the router down (give minutes back); the reconciliation report of that day
 * (with a Paybill payment nobody claimed and a user made on the router by hand); the alerts page. Run with
 * `npx tsx scripts/ops-screenshots.ts` (needs Chromium at /usr/bin/chromium and a built admin,
 * `npm run build:admin`). Everything runs on a throwaway database with a simulated MikroTik.
 */
import { sql } from 'drizzle-orm';
import { SYSTEM } from '../src/audit/index.ts';
import { createApp } from '../src/app/run.ts';
import { query } from '../src/db/open.ts';
import { addRouter } from '../src/gateways/index.ts';
import { OffsetClock } from '../src/lib/clock.ts';
import { recordCashSale } from '../src/payments/index.ts';
import { receiveC2bConfirmation } from '../src/payments/c2b.ts';
import { checkAlerts, DEFAULT_ALERT_SETTINGS, saveAlertSettings } from '../src/alerts/index.ts';
import { startRouterOsSim } from '../src/sim/routeros/index.ts';
import { adminHeaders } from '../test/admin/helpers.ts';
import { TEST_CALLBACK_SECRET, silentLog, testConfig } from '../test/helpers/app.ts';
import { launchChromium } from '../test/helpers/browser.ts';
import { createTestDatabase } from '../test/helpers/db.ts';
import { insertPendingStk, receiveStkBody, stkPaidBody } from '../test/helpers/stk.ts';

const out = 'docs/admin';
const t = await createTestDatabase();
const clock = new OffsetClock();
const app = await createApp({
  config: testConfig(),
  roles: ['serve', 'worker'],
  log: silentLog(),
  database: t.database,
  clock,
  workerOptions: { pollMs: 100 },
});
const sim = await startRouterOsSim({
  users: [{ name: 'wavu', password: 'router-pass-123' }],
  now: () => clock.now().getTime(),
});
const browser = await launchChromium();
try {
  const { router } = await addRouter(
    app.deps,
    {
      mode: 'api',
      name: 'cafe-main',
      host: '127.0.0.1',
      port: sim.apiPort,
      transport: 'api',
      username: 'wavu',
      password: 'router-pass-123',
    },
    { actor: SYSTEM },
  );
  // A sale straight onto a phone, granted by the worker; then the router is reset and loses it.
  const sale = await recordCashSale(app.deps, {
    planId: 2,
    phone: '254712345678',
    mac: 'A4:5E:60:12:34:56',
    routerId: router.id,
    purpose: 'access',
    actor: SYSTEM,
  });
  const granted = async () =>
    (
      await query(
        app.deps.db,
        sql`SELECT 1 FROM access_grants WHERE access_code_id = ${sale.accessCodeId} AND status = 'granted'`,
      )
    ).length > 0;
  for (let i = 0; i < 100 && !(await granted()); i++) await new Promise((r) => setTimeout(r, 100));
  // Stop the worker first, or its next router check would put the code straight back.
  await app.worker!.stop();
  sim.router.reset();

  // A prompt paid with the wrong amount.
  const wrong = await insertPendingStk(app.deps.db, {
    planId: 1,
    phone: '254722000111',
    amountKes: 20,
    at: clock.now(),
    routerId: router.id,
    ref: 'W7K2QX',
    checkout: 'ws_CO_0203202611000000001',
  });
  await receiveStkBody(
    app.deps,
    stkPaidBody({ checkout: wrong.checkout, amountKes: 10, receipt: 'TKB4X9QZ2M', phone: wrong.phone }),
  );

  const headers = await adminHeaders(app, 'cashier');
  const token = /wavu_admin=([^;]+)/.exec(headers.cookie!)![1]!;
  const base = app.url!.replace('0.0.0.0', '127.0.0.1');
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await ctx.addCookies([{ name: 'wavu_admin', value: token, url: base }]);
  const page = await ctx.newPage();
  for (const [file, q, mac, fault] of [
    ['20-troubleshoot-user-missing', sale.code, '', 'none'],
    ['21-troubleshoot-wrong-amount', 'TKB4X9QZ2M', '', 'none'],
    // The code's one slot is the phone's; the customer is on a laptop now: "Remove … from this code".
    ['22-troubleshoot-free-device', sale.code, 'A4:5E:60:99:88:77', 'none'],
    // The router is off: once it is back, give back the minutes lost ("Give minutes").
    ['23-troubleshoot-extend', '254712345678', '', 'down'],
  ] as const) {
    sim.setFault(fault);
    await page.goto(`${base}/admin/troubleshoot`);
    await page.fill('input[name=q]', q);
    await page.fill('input[name=mac]', mac);
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=status]');
    await page.screenshot({ path: `${out}/${file}.png`, fullPage: true });
    process.stdout.write(`${out}/${file}.png\n`);
  }

  // Reconciliation: the wrong amount above, plus a C2B payment that matched nothing and a user
  // someone made on the router by hand.
  const c2b = {
    TransactionType: 'Pay Bill',
    TransID: 'UAC7T2LM9P',
    TransTime: '20260302113000',
    TransAmount: '37.00',
    BusinessShortCode: '600000',
    BillRefNumber: 'JOHN',
    MSISDN: '2547 ***** 126',
    FirstName: 'JOHN',
  };
  await receiveC2bConfirmation(app.deps, {
    secret: TEST_CALLBACK_SECRET,
    body: { json: c2b, text: JSON.stringify(c2b) } as never,
    remoteAddr: '127.0.0.1',
  });
  sim.router.add('/ip/hotspot/user', { name: 'guest', password: 'guest' });
  const owner = await adminHeaders(app, 'owner');
  const ownerCtx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await ownerCtx.addCookies([
    { name: 'wavu_admin', value: /wavu_admin=([^;]+)/.exec(owner.cookie!)![1]!, url: base },
  ]);
  const op = await ownerCtx.newPage();
  await op.goto(`${base}/admin/reconciliation`);
  await op.waitForSelector('[role=status]');
  await op.screenshot({ path: `${out}/24-reconciliation.png`, fullPage: true });
  process.stdout.write(`${out}/24-reconciliation.png\n`);

  // Alerts: a router down past its threshold, told to the owner's phone and a webhook.
  await saveAlertSettings(
    app.deps,
    {
      ...DEFAULT_ALERT_SETTINGS,
      phone: '254712000999',
      webhookUrl: 'https://ops.example.com/hooks/wavu',
      quietHours: { from: '22:00', to: '06:00' },
    },
    SYSTEM,
    null,
  );
  const hourAgo = new Date(clock.now().getTime() - 3_600_000);
  await app.deps.db.execute(
    sql`UPDATE routers SET status = 'down', last_seen_at = ${hourAgo} WHERE id = ${router.id}`,
  );
  await checkAlerts(app.deps);
  await op.goto(`${base}/admin/alerts`);
  await op.waitForSelector('form.card');
  await op.screenshot({ path: `${out}/25-alerts.png`, fullPage: true });
  process.stdout.write(`${out}/25-alerts.png\n`);
} finally {
  await browser.close();
  await app.stop();
  await app.deps.routerConnections.closeAll();
  await sim.stop();
  await t.drop();
}
