/**
 * Every portal page rendered with realistic (and deliberately long) data, in both languages. The
 * budget test measures these; the screenshot script photographs them.
 */
import { brandingFrom } from '../../src/branding/index.ts';
import type { Hotspot } from '../../src/portal/hotspot.ts';
import type { Html } from '../../src/portal/html.ts';
import { dict, type Lang } from '../../src/portal/i18n/index.ts';
import type { PageCtx } from '../../src/portal/layout.ts';
import * as pages from '../../src/portal/pages.ts';

export const FIXTURE_HOTSPOT: Hotspot = {
  mac: '34:12:F9:8A:21:4C',
  ip: '10.5.50.23',
  linkLoginOnly: 'http://10.5.50.1/login',
  linkOrig: 'http://example.com/news?page=2',
  chapId: '\\371',
  chapChallenge: '\\357\\015\\330\\013\\021\\234\\145\\245\\303\\253\\142\\246\\133\\175\\375\\316',
  router: 'hostel-gate',
};

const PLANS: pages.PortalPlan[] = [
  {
    id: 1,
    name: '1 Hour',
    nameSw: 'Saa 1',
    priceKes: 20,
    durationSeconds: 3600,
    rateDownKbps: 5120,
    devices: 1,
    dataCapBytes: null,
  },
  {
    id: 2,
    name: '3 Hours',
    nameSw: 'Saa 3',
    priceKes: 50,
    durationSeconds: 10800,
    rateDownKbps: 5120,
    devices: 1,
    dataCapBytes: null,
  },
  {
    id: 3,
    name: '6 Hours',
    nameSw: 'Saa 6',
    priceKes: 100,
    durationSeconds: 21600,
    rateDownKbps: 5120,
    devices: 1,
    dataCapBytes: null,
  },
  {
    id: 4,
    name: '24 Hours',
    nameSw: 'Saa 24',
    priceKes: 300,
    durationSeconds: 86400,
    rateDownKbps: 5120,
    devices: 2,
    dataCapBytes: null,
  },
  {
    id: 5,
    name: 'Weekly bundle',
    nameSw: 'Kifurushi cha wiki',
    priceKes: 1000,
    durationSeconds: 7 * 86400,
    rateDownKbps: 10240,
    devices: 3,
    dataCapBytes: 20 * 1024 ** 3,
  },
];

const PURCHASE: pages.PurchaseInfo = {
  id: '5b0a3f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  ref: 'WV7K3M9Q',
  planName: '3 Hours',
  amountKes: 50,
  phone: '0712***678',
};

export function fixtureCtx(lang: Lang, hs: Hotspot = FIXTURE_HOTSPOT, path = '/portal'): PageCtx {
  return {
    t: dict(lang),
    lang,
    brand: brandingFrom({
      name: 'Mama Njeri Cyber & Hostel WiFi',
      color: '#0b6e4f',
      supportPhone: '0722 000 111',
    }),
    hs,
    nonce: 'bm9uY2Utbm9uY2Ut',
    self: { path },
  };
}

/** [name, page] for every page and state the portal can show. */
export function allPages(lang: Lang): [string, Html][] {
  const c = fixtureCtx(lang);
  const failures: pages.FailureKind[] = [
    'cancelled',
    'insufficient',
    'wrong_pin',
    'locked',
    'no_answer',
    'other',
  ];
  return [
    ['home', pages.homePage(c, { plans: PLANS })],
    [
      'home-error',
      pages.homePage(fixtureCtx(lang, { ...FIXTURE_HOTSPOT, error: 'invalid username or password' }), {
        plans: PLANS,
        planId: 2,
        phone: '07123',
        error: 'phone',
        welcome: { secondsLeft: 2 * 3600 + 15 * 60 },
      }),
    ],
    ['home-reconnect-failed', pages.homePage(c, { plans: PLANS, error: 'reconnect' })],
    ['voucher', pages.voucherPage(c, { code: 'ACDEF-GHJKM' })],
    ['voucher-error', pages.voucherPage(c, { code: 'ACDEF-GHJKX', error: 'unknown' })],
    ['wait', pages.waitPage(c, { purchase: PURCHASE, secondsLeft: 96 })],
    ...failures.map((kind): [string, Html] => [
      `failed-${kind}`,
      pages.failedPage(c, { purchase: PURCHASE, kind }),
    ]),
    [
      'failed-retry-wait',
      pages.failedPage(c, { purchase: PURCHASE, kind: 'cancelled', error: 'wait', waitSeconds: 94 }),
    ],
    [
      'failed-reason',
      pages.failedPage(c, {
        purchase: PURCHASE,
        kind: 'other',
        reason: 'Your M-Pesa PIN is locked. Call Safaricom on 100 to unlock it.',
      }),
    ],
    [
      'paybill',
      pages.paybillPage(c, {
        pay: { type: 'paybill', number: '174379', account: PURCHASE.ref, amountKes: 50 },
        purchaseId: PURCHASE.id,
      }),
    ],
    [
      'till',
      pages.paybillPage(c, {
        pay: { type: 'till', number: '5123456', account: null, amountKes: 50 },
        purchaseId: PURCHASE.id,
      }),
    ],
    ['recover', pages.recoverPage(c, { sms: { today: '2026-03-01' } })],
    [
      'recover-error',
      pages.recoverPage(c, {
        receipt: 'QK81ABC2DE',
        error: 'receipt_unknown',
        sms: { today: '2026-03-01', phone: '0712 345', amount: '50', day: '2026-02-28', error: 'phone' },
      }),
    ],
    [
      'recover-sms-sent',
      pages.recoverPage(c, {
        sms: { today: '2026-03-01', phone: '0712 345 678', amount: '50', day: '2026-03-01', sent: true },
      }),
    ],
    [
      'connect',
      pages.connectPage(c, {
        code: 'ACDEFGHJKM',
        login: {
          action: FIXTURE_HOTSPOT.linkLoginOnly!,
          username: 'ACDEFGHJKM',
          password: '0f2c8e1b5d7a9c3e4f6a8b0c1d2e3f40',
          dst: 'http://portal.example.com/portal/status?mac=34%3A12%3AF9%3A8A%3A21%3A4C&lang=en',
        },
      }),
    ],
    ['connect-nohotspot', pages.connectPage(fixtureCtx(lang, {}), { code: 'ACDEFGHJKM', login: null })],
    ['preparing', pages.preparingPage(c, { again: '/portal/connect?t=abc' })],
    [
      'paid-login-failed',
      pages.paidPage(c, {
        code: 'ACDEFGHJKM',
        routerError: 'invalid username or password',
        retry: '/portal/paid/retry',
        more: '/portal?more=1',
      }),
    ],
    [
      'status',
      pages.statusPage(c, {
        online: {
          secondsLeft: 2 * 3600 + 15 * 60 + 40,
          bytesLeft: null,
          throttled: false,
          devices: 2,
          accessCodeId: 'a',
          endsAt: new Date('2026-03-01T11:50:00Z'),
        },
        code: 'ACDEFGHJKM',
        logout: FIXTURE_HOTSPOT.linkLoginOnly!.replace(/login$/, 'logout'),
      }),
    ],
    [
      'status-capped',
      pages.statusPage(c, {
        online: {
          secondsLeft: 3 * 86400 + 60,
          bytesLeft: 1.5 * 1024 ** 3,
          throttled: false,
          devices: 3,
          accessCodeId: 'a',
          endsAt: null,
        },
      }),
    ],
    [
      'status-reduced-speed',
      pages.statusPage(c, {
        online: {
          secondsLeft: 20 * 3600,
          bytesLeft: null,
          throttled: true,
          devices: 1,
          accessCodeId: 'a',
          endsAt: new Date('2026-03-01T11:50:00Z'),
        },
      }),
    ],
    ['status-offline', pages.statusPage(c, { online: null })],
    ['status-unknown-device', pages.statusPage(fixtureCtx(lang, {}), { online: null, unknownDevice: true })],
    ['not-found', pages.errorPage(c, { kind: 'not_found' })],
    ['bad-request', pages.errorPage(c, { kind: 'bad_request' })],
    ['problem', pages.errorPage(c, { kind: 'problem' })],
  ];
}
