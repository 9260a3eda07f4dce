/**
 * When Wavu cannot ask Safaricom about a receipt (Transaction Status): an initiator that is not
 * set, or a certificate that cannot encrypt the initiator password. The owner sees it on the
 * M-Pesa "Test" (a passing test with a warning in plain words), the log says it once per ask at
 * error level, and the customer's "Already paid?" gets a page, never a 500. Real app over HTTP,
 * the Daraja simulator on its sockets; PGlite and PostgreSQL.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIM_CERTIFICATE } from '../../src/sim/daraja/transaction-status.ts';
import { adminHeaders } from '../admin/helpers.ts';
import { type PaymentsHarness, startPaymentsApp } from './helpers.ts';

const lines: string[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);
let h: PaymentsHarness;
let headers: Record<string, string>;
let device = 0;

beforeAll(async () => {
  h = await startPaymentsApp({ log });
  headers = await adminHeaders(h.app);
}, 60_000);
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.app.deps.mpesaCertificate = () => SIM_CERTIFICATE;
  lines.length = 0;
});

const mpesaTest = async () => {
  const r = await fetch(`${h.url}/api/admin/settings/mpesa/test`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: r.status, json: (await r.json()) as { ok: boolean; message: string; warning?: string } };
};

/** "Already paid?" with a receipt Wavu never saw, from a fresh device; returns the page it lands on. */
async function alreadyPaid(receipt: string) {
  device++;
  const form = new URLSearchParams({
    mac: `02:00:00:00:01:${device.toString(16).padStart(2, '0')}`,
    ip: `10.5.50.${device}`,
    receipt,
  });
  const r = await fetch(`${h.url}/portal/recover`, { method: 'POST', body: form, redirect: 'manual' });
  expect(r.status).toBeLessThan(500);
  const to = r.headers.get('location');
  const page = to ? await fetch(new URL(to, h.url)) : r;
  expect(page.status).toBeLessThan(500);
  return page.text();
}
const errors = () =>
  lines
    .map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string })
    .filter((l) => l.level >= 50);

describe('Transaction Status that cannot ask Safaricom', () => {
  it('a ready account says so on Test, and nothing is logged as an error', async () => {
    const r = await mpesaTest();
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    expect(r.json.warning).toBeUndefined();
    expect(r.json.message).toContain('can be confirmed with Safaricom');
    expect(errors()).toEqual([]);
  });

  it('a certificate that cannot be read: a warning on Test, an error in the log, a page for the customer', async () => {
    h.app.deps.mpesaCertificate = () =>
      '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----';
    const r = await mpesaTest();
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    expect(r.json.warning).toMatch(/certificate cannot be read/);
    expect(r.json.message).toMatch(
      /cannot be confirmed with Safaricom: the M-Pesa certificate cannot be read/,
    );
    const page = await alreadyPaid('QX11AB22CD');
    expect(page).toContain('We could not find that M-Pesa payment');
    expect(errors()).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining('Transaction Status cannot ask Safaricom'),
        problem: expect.stringContaining('certificate cannot be read'),
      }),
    ]);
  });

  it('an account with no initiator: its Test passes with a warning naming the initiator', async () => {
    h.sim.apps.push({ consumerKey: 'shop-d-key', consumerSecret: 'shop-d-secret' });
    h.sim.merchants.push({ shortcode: '400700', passkey: 'shop-d-passkey' });
    const created = await fetch(`${h.url}/api/admin/payment-accounts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Shop D paybill',
        shortcode: '400700',
        consumerKey: 'shop-d-key',
        consumerSecret: 'shop-d-secret',
        passkey: 'shop-d-passkey',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const r = await fetch(`${h.url}/api/admin/payment-accounts/${id}/test`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(200);
    const json = (await r.json()) as { ok: boolean; message: string; warning?: string };
    expect(json.ok).toBe(true);
    expect(json.warning).toBe('the initiator name and password are not set');
    expect(json.message).toContain('Shop D paybill');
    expect(json.message).toContain('cannot be confirmed with Safaricom');
  });
});
