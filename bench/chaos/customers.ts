/**
 * Customers of a fault run. Each one buys through the public API (`POST /api/purchases`, through
 * the balancer), finds the prompt on their phone (the Daraja simulator) and answers it after a
 * moment's thought: pays, cancels, types a wrong PIN, has no money, or ignores it. A customer who
 * paid on a RADIUS router then has their device try to log in until it is let on.
 * Everything a customer does is drawn up front from the seed.
 */
import { seededRandom } from '../../src/sim/daraja/outcomes.ts';
import type { SimStkView } from '../../src/sim/daraja/control.ts';
import { type RadiusNas, waitOnline } from './online.ts';
import { sleep } from './processes.ts';

export type Action = 'pay' | 'cancel' | 'wrong_pin' | 'insufficient' | 'ignore';

/** How customers answer prompts, weighted. */
const ACTIONS: [Action, number][] = [
  ['pay', 70],
  ['cancel', 10],
  ['wrong_pin', 5],
  ['insufficient', 5],
  ['ignore', 10],
];

export interface Customer {
  i: number;
  phone: string;
  mac: string;
  planId: number;
  router: 'api' | 'radius';
  action: Action;
  thinkMs: number;
}

export function drawCustomers(n: number, seed: number, thinkMs: [number, number]): Customer[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    let x = r() * 100;
    let action: Action = 'pay';
    for (const [a, w] of ACTIONS) {
      x -= w;
      if (x < 0) {
        action = a;
        break;
      }
    }
    return {
      i,
      // Unique per customer; the last four digits are 7xxx, never one of the simulator's magic endings.
      phone: `2547${String(Math.floor(i / 1000)).padStart(4, '0')}7${String(i % 1000).padStart(3, '0')}`,
      mac: `02:CA:${[i >> 24, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
      planId: 1 + Math.floor(r() * 4),
      router: r() < 0.5 ? 'api' : 'radius',
      action,
      thinkMs: Math.round(thinkMs[0] + r() * (thinkMs[1] - thinkMs[0])),
    };
  });
}

export interface CustomerOutcome {
  customer: Customer;
  /** HTTP status of POST /api/purchases, or `error` when the connection failed (a node was killed). */
  http: number | 'error';
  checkout: string | null;
  /** The prompt was answered as planned (false when none reached the phone). */
  answered: boolean;
}

export interface Shop {
  apiUrl: string;
  simUrl: string;
  routerIds: { api: number; radius: number };
  nas: RadiusNas;
  /** Paid devices on the RADIUS router: MAC → when it was first let on (null: never). */
  radiusOnline: Map<string, Promise<number | null>>;
  stopped: () => boolean;
}

async function prompt(shop: Shop, phone: string, waitMs: number): Promise<SimStkView | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const res = await fetch(`${shop.simUrl}/_sim/stk?phone=${phone}&state=pending`).catch(() => null);
    const list = res?.ok ? ((await res.json()) as { transactions: SimStkView[] }).transactions : [];
    const waiting = list.find((t) => t.manual);
    if (waiting) return waiting;
    if (Date.now() > until) return null;
    await sleep(100);
  }
}

export async function visit(shop: Shop, c: Customer): Promise<CustomerOutcome> {
  let http: number | 'error' = 'error';
  let status: string | null = null;
  try {
    const res = await fetch(`${shop.apiUrl}/api/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        planId: c.planId,
        phone: c.phone,
        mac: c.mac,
        routerId: shop.routerIds[c.router],
      }),
      signal: AbortSignal.timeout(20_000),
    });
    http = res.status;
    const body = (await res.json().catch(() => null)) as { status?: string } | null;
    status = body?.status ?? null;
  } catch {
    // The node died with the request: the push may or may not have gone out. Look at the phone.
  }
  if (status === 'failed' || (typeof http === 'number' && http !== 201)) {
    return { customer: c, http, checkout: null, answered: false };
  }
  const p = await prompt(shop, c.phone, http === 201 ? 5_000 : 3_000);
  if (!p) return { customer: c, http, checkout: null, answered: false };
  await sleep(c.thinkMs);
  if (c.action !== 'ignore') {
    await fetch(`${shop.simUrl}/sim/phone/${p.checkoutRequestId}/${c.action}`, {
      method: 'POST',
      redirect: 'manual',
    });
  }
  if (c.action === 'pay' && c.router === 'radius') {
    shop.radiusOnline.set(c.mac, waitOnline(shop.nas, c.mac, { everyMs: 1_000, stopped: shop.stopped }));
  }
  return { customer: c, http, checkout: p.checkoutRequestId, answered: true };
}
