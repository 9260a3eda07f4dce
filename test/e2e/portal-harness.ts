/**
 * The captive portal's browser-test harness: one app (server + worker, the M-Pesa simulator on the
 * app's clock, the demo router), Debian's Chromium, and the customer's moves — a device joining
 * the WiFi, paying, answering the STK prompt on the simulator's phone page, getting online.
 * Each test file makes its own (`portalHarness()`), with its own MAC, IP and phone ranges.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext } from 'playwright-core';
import { expect } from 'vitest';
import { issueForPurchase } from '../../src/access/issue-for-purchase.ts';
import { loadModules } from '../../src/app/modules.ts';
import { type App, createApp } from '../../src/app/run.ts';
import { query } from '../../src/db/open.ts';
import { OffsetClock } from '../../src/lib/clock.ts';
import { callbackUrls } from '../../src/payments/daraja.ts';
import { darajaSimModule } from '../../src/sim/daraja/module.ts';
import { demoRouterSim } from '../../src/sim/routeros/module.ts';
import { silentLog, testConfig } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export interface HarnessOptions {
  /** First five octets of the devices' MACs, e.g. 'A4:5E:60:10:20'. */
  macPrefix: string;
  /** First three octets of the devices' IPs, e.g. '10.5.50'. */
  ipPrefix: string;
  /** Phone numbers are 0712 followed by six digits counted up from here. */
  phoneBase: number;
  viewport: { width: number; height: number };
}

export type Device = Awaited<ReturnType<PortalHarness['device']>>;
export type PhoneAction = 'Pay' | 'Cancel' | 'Wrong PIN' | 'No money';

export class PortalHarness {
  readonly clock = new OffsetClock();
  app!: App;
  url!: string;
  browser!: Browser;
  private t: TestDatabase | undefined;
  private readonly contexts: BrowserContext[] = [];
  private deviceNo = 0;
  private phoneNo = 0;

  constructor(private readonly o: HarnessOptions) {}

  readonly start = async (): Promise<void> => {
    this.t = await createTestDatabase();
    const config = testConfig();
    this.app = await createApp({
      config,
      roles: ['serve', 'worker'],
      log: silentLog(),
      database: this.t.database,
      clock: this.clock,
      // The M-Pesa simulator keeps the app's time, so "two minutes later" is the same for both.
      modules: [
        ...(await loadModules()).filter((m) => m.name !== 'sim-daraja'),
        darajaSimModule({ options: { now: () => this.clock.now() } }),
      ],
      workerOptions: { pollMs: 100 },
    });
    // Ephemeral port: the router's login page and M-Pesa need to know where we are.
    this.url = this.app.url!.replace('0.0.0.0', '127.0.0.1');
    config.publicUrl = this.url;
    config.mpesa.baseUrl = `${this.url}/sim/daraja`;
    // The demo registers its C2B URLs shortly after start, maybe before the address above was set.
    const urls = callbackUrls(config);
    await this.app.deps.daraja.registerC2bUrls({
      confirmationUrl: urls.c2bConfirm,
      validationUrl: urls.c2bValidate,
    });
    this.browser = await launchChromium();
  };

  /**
   * Customers for an app and browser started elsewhere, and stopped there (the first-run test
   * starts its own app from an empty database). `clock` is then not that app's clock.
   */
  readonly attach = (app: App, browser: Browser): void => {
    this.app = app;
    this.url = app.url!.replace('0.0.0.0', '127.0.0.1');
    this.browser = browser;
  };

  readonly stop = async (): Promise<void> => {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser?.close();
    await this.app?.stop();
    await this.t?.drop();
  };

  /** A browser context closed with the harness. */
  readonly context = async (o: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
    const c = await this.browser.newContext(o);
    this.contexts.push(c);
    return c;
  };

  /** A device on the hotspot: its own browser (cookies, JS setting), MAC and IP. */
  readonly device = async (o: { js?: boolean } = {}) => {
    this.deviceNo++;
    const hex = (this.deviceNo + 16).toString(16).padStart(2, '0').toUpperCase();
    const context = await this.context({ viewport: this.o.viewport, javaScriptEnabled: o.js !== false });
    const page = await context.newPage();
    // Anything outside our own server would be blocked by the walled garden: record it.
    const outside: string[] = [];
    const requests: string[] = [];
    page.on('request', (r) => {
      requests.push(r.url());
      if (!r.url().startsWith(this.url) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    return {
      mac: `${this.o.macPrefix}:${hex}`,
      ip: `${this.o.ipPrefix}.${this.deviceNo + 10}`,
      page,
      js: o.js !== false,
      outside,
      requests,
    };
  };

  /** A phone number that is not one of the simulator's magic endings (unless one is asked for). */
  readonly phone = (ending?: string): string => {
    this.phoneNo++;
    const base = `0712${String(this.o.phoneBase + this.deviceNo * 100 + this.phoneNo).slice(-6)}`;
    return ending ? base.slice(0, 10 - ending.length) + ending : base;
  };

  /** Join the WiFi: the router's login page sends the browser to the portal. */
  readonly joinWifi = async (d: Device): Promise<void> => {
    await d.page.goto(`${this.url}/sim/hotspot/login?mac=${encodeURIComponent(d.mac)}&ip=${d.ip}`);
    if (!d.js) await d.page.getByRole('button', { name: 'Continue' }).click();
    await d.page.waitForURL(/\/portal\?/);
  };

  /** Pick a plan, type the number, tap Pay (where the page goes next is the caller's to check). */
  readonly pay = async (d: Device, o: { plan: RegExp; phone: string; payLabel?: string }): Promise<void> => {
    await d.page.getByRole('radio', { name: o.plan }).check();
    await d.page
      .getByLabel(/M-Pesa/)
      .first()
      .fill(o.phone);
    await d.page.getByRole('button', { name: o.payLabel ?? 'Pay with M-Pesa' }).click();
  };

  /** The customer's handset: answer the STK prompt for this phone on the simulator's phone page. */
  readonly answerOnPhone = async (number: string, action: PhoneAction): Promise<void> => {
    const ctx = await this.context();
    const p = await ctx.newPage();
    for (let i = 0; i < 100; i++) {
      await p.goto(`${this.url}/sim/phone?phone=254${number.slice(1)}`);
      const button = p.getByRole('button', { name: action, exact: true });
      if ((await button.count()) > 0) {
        await button.first().click();
        await ctx.close();
        return;
      }
      await p.waitForTimeout(100);
    }
    throw new Error(`no M-Pesa prompt reached ${number}`);
  };

  /** Without JavaScript the connect page needs one tap; with it, it submits itself. */
  readonly connect = async (d: Device, label = 'Connect'): Promise<void> => {
    if (d.js) return;
    const button = d.page.getByRole('button', { name: label, exact: true });
    await button.waitFor({ timeout: 30_000 });
    await button.click();
  };

  /** The page says so, and the router lists the device as logged in. */
  readonly expectOnline = async (d: Device, heading = 'You are online'): Promise<void> => {
    await d.page.getByRole('heading', { name: heading }).waitFor({ timeout: 30_000 });
    const active = demoRouterSim()!.router.list('/ip/hotspot/active');
    expect(active.map((a) => a['mac-address'])).toContain(d.mac);
  };

  /** A fresh, unused 1-hour voucher code. */
  readonly voucherCode = async (): Promise<string> => {
    const [plan] = await query<{ id: number }>(
      this.app.deps.db,
      sql`SELECT id FROM plans WHERE name = '1 Hour'`,
    );
    const r = await this.app.deps.db.transaction((tx) =>
      issueForPurchase(tx, this.app.deps, {
        purchaseId: randomUUID(),
        planId: plan!.id,
        phone: null,
        mac: null,
        routerId: null,
        purpose: 'voucher',
      }),
    );
    return r.code;
  };
}

export const portalHarness = (o: HarnessOptions) => new PortalHarness(o);
