/**
 * "Why is this customer not online?" From what the customer reads out (phone, MAC, access code or
 * M-Pesa receipt) this finds the payment and the code and runs ordered checks. Each says what it
 * found (verdict), why (evidence, facts from the records) and what to do (fix), in words for a
 * cashier. The first problem found is the cause. Only reads; the fixes it offers (retry grant,
 * resend code, extend, free a device slot) are audited actions of their own use cases.
 *
 * Order matters: a later check only makes sense when the earlier ones passed (a code that
 * expired is not on the router, and that is not the router's fault), so checks that follow a
 * problem which explains them are left out.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { asDate, query } from '../../db/open.ts';
import { routerProblem, userOnRouter } from '../../gateways/index.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { parseC2bNotification, parseStkCallback } from '../../protocols/daraja/callbacks.ts';
import { subscriberSupportFacts } from '../../subscribers/index.ts';
import { codeHashFor } from '../code-lookup.ts';
import { subscriberChecks } from './subscriber-checks.ts';
import type { Cause, Check } from './check.ts';
import { when } from './words.ts';

export type { Action, Cause, Check, Verdict } from './check.ts';

export interface TroubleshootResult {
  query: string;
  /** What the text was taken for. */
  as: 'phone' | 'mac' | 'code' | 'receipt' | 'subscriber' | 'unknown';
  cause: Cause | null;
  /** The first problem's sentence, or that all looks fine. */
  summary: string;
  purchaseId: string | null;
  accessCodeId: string | null;
  /** The PPPoE subscriber the text matched (account number, username or phone). */
  subscriberId: number | null;
  checks: Check[];
}

interface Purchase {
  id: string;
  status: string;
  channel: string;
  amount_kes: number;
  paid_amount_kes: number | null;
  phone: string | null;
  mac: string | null;
  router_id: number | null;
  access_code_id: string | null;
  mpesa_receipt: string | null;
  result_desc: string | null;
  checkout_request_id: string | null;
  created_at: string;
  paid_at: string | null;
  next_check_at: string | null;
  plan: string;
}

interface Code {
  id: string;
  status: string;
  code_sealed: string | null;
  devices: number;
  clock: string;
  duration_seconds: number;
  used_seconds: number;
  activated_at: string | null;
  expires_at: string | null;
  expired_at: string | null;
  revoked_at: string | null;
  purchase_id: string | null;
}

/** What each stored callback outcome means, for people (src/payments names them for machines). */
const OUTCOME_WORDS: Record<string, string> = {
  credited: 'paid, code given',
  duplicate: 'a repeat of one already handled',
  duplicate_receipt: 'a receipt already used for another payment',
  paid_twice: 'paid a second time (money moved twice)',
  settled: 'the payment ended without money',
  stale: 'arrived after the payment had ended',
  unknown_code: 'an answer Wavu does not know; asking M-Pesa again',
  unknown_checkout: 'for a payment Wavu never started',
  amount_mismatch: 'the wrong amount, so nothing was given',
  phone_mismatch: 'from a different phone, so nothing was given',
  unmatched: 'could not be matched to a purchase',
  no_receipt: 'no receipt number in it',
  malformed: 'unreadable',
  bad_secret: 'not from M-Pesa (wrong secret)',
};

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

/** Locally administered bit: the phone made this address up ("private Wi-Fi address"). */
export const isRandomMac = (mac: string): boolean => (Number.parseInt(mac.slice(0, 2), 16) & 2) === 2;

const PURCHASE_COLS = sql`p.id, p.status, p.channel, p.amount_kes, p.paid_amount_kes, p.phone, p.mac, p.router_id,
  p.access_code_id, p.mpesa_receipt, p.result_desc, p.checkout_request_id, p.created_at, p.paid_at,
  p.next_check_at, pl.name AS plan`;

async function findSubject(
  deps: Deps,
  q: string,
): Promise<{
  as: TroubleshootResult['as'];
  purchase: Purchase | null;
  code: Code | null;
  mac: string | null;
}> {
  const purchaseWhere = async (where: ReturnType<typeof sql>) =>
    (
      await query<Purchase>(
        deps.db,
        sql`SELECT ${PURCHASE_COLS} FROM purchases p JOIN plans pl ON pl.id = p.plan_id WHERE ${where}
            ORDER BY p.created_at DESC LIMIT 1`,
      )
    )[0] ?? null;
  const codeById = async (id: string | null) =>
    id
      ? ((
          await query<Code>(
            deps.db,
            sql`SELECT id, status, code_sealed, devices, clock, duration_seconds, used_seconds, activated_at,
                       expires_at, expired_at, revoked_at, purchase_id
                FROM access_codes WHERE id = ${id}`,
          )
        )[0] ?? null)
      : null;
  const withCode = async (as: TroubleshootResult['as'], purchase: Purchase | null, mac: string | null) => ({
    as,
    purchase,
    code: await codeById(purchase?.access_code_id ?? null),
    mac: mac ?? purchase?.mac ?? null,
  });

  // A phone first: 2547… is twelve digits, which is also a bare MAC.
  const phone = normalizePhone(q);
  if (phone) return withCode('phone', await purchaseWhere(sql`p.phone = ${phone}`), null);
  const mac = normalizeMac(q);
  if (mac) {
    const bound = await query<{ access_code_id: string }>(
      deps.db,
      sql`SELECT access_code_id FROM access_devices WHERE mac = ${mac} ORDER BY bound_at DESC LIMIT 1`,
    );
    const p = await purchaseWhere(sql`p.mac = ${mac}`);
    if (bound[0] && bound[0].access_code_id !== p?.access_code_id) {
      const code = await codeById(bound[0].access_code_id);
      const owner = code?.purchase_id ? await purchaseWhere(sql`p.id = ${code.purchase_id}`) : null;
      return { as: 'mac', purchase: owner, code, mac };
    }
    return withCode('mac', p, mac);
  }
  const hash = codeHashFor(deps, q);
  if (hash) {
    const [c] = await query<{ id: string }>(
      deps.db,
      sql`SELECT id FROM access_codes WHERE code_hash = ${hash}`,
    );
    if (c) {
      const code = await codeById(c.id);
      const p = await purchaseWhere(sql`p.access_code_id = ${c.id}`);
      return { as: 'code', purchase: p, code, mac: p?.mac ?? null };
    }
  }
  const receipt = q.trim().toUpperCase();
  if (/^[A-Z0-9]{8,12}$/.test(receipt)) {
    let p = await purchaseWhere(sql`p.mpesa_receipt = ${receipt}`);
    if (!p) {
      // A receipt that credited nothing (wrong amount) is only in the callbacks, beside its purchase.
      const [cb] = await query<{ purchase_id: string | null }>(
        deps.db,
        sql`SELECT purchase_id FROM callback_inbox WHERE receipt = ${receipt} ORDER BY id DESC LIMIT 1`,
      );
      if (cb?.purchase_id) p = await purchaseWhere(sql`p.id = ${cb.purchase_id}`);
    }
    if (p) return withCode('receipt', p, null);
  }
  return { as: hash ? 'code' : 'unknown', purchase: null, code: null, mac: null };
}

async function paymentCheck(deps: Deps, p: Purchase): Promise<Check> {
  const callbacks = await query<{
    kind: string;
    received_at: string;
    outcome: string | null;
    body: string | null;
  }>(
    deps.db,
    // body::text: a driver hands jsonb back parsed, PGlite and pg differently; parse it here.
    sql`SELECT kind, received_at, outcome, body::text AS body FROM callback_inbox
        WHERE purchase_id = ${p.id}
           OR (${p.checkout_request_id}::text IS NOT NULL AND checkout_request_id = ${p.checkout_request_id})
        ORDER BY id`,
  );
  const evidence = [
    `${p.plan}, KES ${p.amount_kes}, by ${p.channel === 'stk' ? 'M-Pesa prompt' : p.channel === 'c2b' ? 'Paybill/Till' : 'cash'}, started ${when(p.created_at)}.`,
    ...callbacks.map(
      (c) =>
        `M-Pesa message received ${when(c.received_at)}: ${c.outcome ? (OUTCOME_WORDS[c.outcome] ?? c.outcome) : 'not handled yet'}.`,
    ),
  ];
  const base = { id: 'payment' as const, title: 'Payment', evidence };
  const wrong = callbacks.find((c) => c.outcome === 'amount_mismatch');
  if (wrong && p.status !== 'paid') {
    const body: unknown = wrong.body === null ? null : JSON.parse(wrong.body);
    const paid =
      wrong.kind === 'stk' ? parseStkCallback(body)?.amountKes : parseC2bNotification(body)?.amountKes;
    return {
      ...base,
      verdict: 'problem',
      cause: 'wrong_amount',
      said: `The customer paid ${paid != null ? `KES ${paid}` : 'a different amount'}, but ${p.plan} costs KES ${p.amount_kes}, so no code was given.`,
      fix: 'Sell the package at the counter and take the difference, or send the money back from the M-Pesa portal. Wavu will not guess.',
    };
  }
  if (p.status === 'paid') {
    return {
      ...base,
      verdict: 'ok',
      said: `Paid KES ${p.paid_amount_kes ?? p.amount_kes} at ${when(p.paid_at)}${p.mpesa_receipt ? `, receipt ${p.mpesa_receipt}` : ''}.`,
      fix: null,
    };
  }
  const age = (deps.clock.now().getTime() - asDate(p.created_at).getTime()) / 1000;
  const heard = callbacks.some((c) => c.kind === 'stk');
  if (p.channel === 'stk' && !heard && (p.status === 'pending' ? age > 60 : p.status === 'expired')) {
    return {
      ...base,
      verdict: 'problem',
      cause: 'callback_lost',
      said:
        p.status === 'pending'
          ? `M-Pesa has not told us how this payment ended (${minutes(age)} ago). Wavu keeps asking M-Pesa by itself${p.next_check_at ? `; next at ${when(p.next_check_at)}` : ''}.`
          : 'M-Pesa never told us how this payment ended, and asking did not settle it.',
      fix: 'If the customer has the M-Pesa message, type its receipt number on the portal ("Already paid?") or search it here. If no money left their phone, they can pay again.',
    };
  }
  if (p.status === 'pending')
    return {
      ...base,
      verdict: 'info',
      said: 'The payment is still waiting for the customer to enter their M-Pesa PIN.',
      fix: 'Ask the customer to check their phone for the M-Pesa prompt.',
    };
  return {
    ...base,
    verdict: 'problem',
    cause: 'payment_failed',
    said: `The payment did not go through (${p.status}${p.result_desc ? `: ${p.result_desc}` : ''}). No money was taken.`,
    fix: 'The customer can pay again from the portal.',
  };
}

function codeCheck(deps: Deps, c: Code, p: Purchase | null): Check {
  const left = Math.max(0, c.duration_seconds - Number(c.used_seconds));
  const evidence = [
    `Code state: ${c.status}; ${c.devices} device${c.devices === 1 ? '' : 's'} allowed; time ${c.clock === 'uptime' ? 'runs only while online' : 'runs from first login'}.`,
  ];
  if (c.activated_at) evidence.push(`First used at ${when(c.activated_at)}.`);
  if (c.expires_at) evidence.push(`Ends at ${when(c.expires_at)}.`);
  const base = { id: 'code' as const, title: 'Access code', evidence };
  const resend = p?.phone ? { action: { kind: 'resend-code' as const, purchaseId: p.id } } : {};
  const now = deps.clock.now();
  if (c.status === 'expired' || (c.expires_at && asDate(c.expires_at) <= now))
    return {
      ...base,
      verdict: 'problem',
      cause: 'expired',
      said: `The package has run out${c.expired_at || c.expires_at ? ` (at ${when(c.expired_at ?? c.expires_at)})` : ''}.`,
      fix: 'Nothing is wrong: the time bought is used up. The customer can buy a new package.',
    };
  if (c.status === 'revoked')
    return {
      ...base,
      verdict: 'problem',
      cause: 'revoked',
      said: `Staff cancelled this code at ${when(c.revoked_at)}.`,
      fix: 'Check the audit log for why before selling again.',
    };
  return {
    ...base,
    verdict: 'ok',
    said:
      c.status === 'issued'
        ? 'The code is ready and has not been used yet.'
        : `The code works; ${c.clock === 'uptime' ? `${minutes(left)} of online time left` : 'time is still left'}.`,
    fix: p?.phone ? 'If the customer lost the code, send it again by SMS.' : null,
    ...resend,
  };
}

async function devicesCheck(deps: Deps, c: Code, mac: string | null): Promise<Check> {
  const bound = await query<{ mac: string; bound_at: string }>(
    deps.db,
    sql`SELECT mac, bound_at FROM access_devices WHERE access_code_id = ${c.id} ORDER BY bound_at`,
  );
  const evidence = bound.map((d) => `Device ${d.mac} joined at ${when(d.bound_at)}.`);
  const full = bound.length >= c.devices;
  // Offered whenever the slots are full: a new phone, or a laptop instead of the phone.
  const free = full
    ? { action: { kind: 'free-device' as const, accessCodeId: c.id, macs: bound.map((d) => d.mac) } }
    : {};
  const base = { id: 'devices' as const, title: 'Devices', evidence, ...free };
  if (mac && !bound.some((d) => d.mac === mac) && full)
    return {
      ...base,
      verdict: 'problem',
      cause: 'device_limit',
      said: `This code is already used on ${bound.length} device${bound.length === 1 ? '' : 's'}, its limit, and ${mac} is not one of them.`,
      fix: 'Free a device slot (remove the old device from the code), or sell a package for this device.',
    };
  return {
    ...base,
    verdict: 'ok',
    said: `${bound.length} of ${c.devices} device slot${c.devices === 1 ? '' : 's'} used.`,
    fix: full
      ? 'If the customer has a new device, free a slot by removing the one they no longer use.'
      : null,
  };
}

interface Grant {
  router_id: number;
  name: string;
  status: string;
  attempts: number;
  last_error: string | null;
  granted_at: string | null;
}

/**
 * `mac`: the device the customer is trying now, when it is not the one the search finds (a code
 * that works on the phone but not on the laptop).
 */
export async function troubleshoot(
  deps: Deps,
  o: { q: string; mac?: string | undefined },
): Promise<TroubleshootResult> {
  const q = o.q;
  const found = await findSubject(deps, q);
  // Not a hotspot sale: perhaps a PPPoE subscriber (account number, username, or their phone).
  if (!found.purchase && !found.code) {
    const facts = await subscriberSupportFacts(deps, q);
    if (facts) {
      const checks = await subscriberChecks(deps, facts);
      const first = checks.find((c) => c.verdict === 'problem');
      return {
        query: q,
        as: 'subscriber',
        cause: first?.cause ?? null,
        summary: first?.said ?? 'Everything Wavu can check looks right.',
        purchaseId: null,
        accessCodeId: null,
        subscriberId: facts.subscriber.id,
        checks,
      };
    }
  }
  const s = { ...found, mac: o.mac ?? found.mac };
  const checks: Check[] = [];
  const result = (): TroubleshootResult => {
    const first = checks.find((c) => c.verdict === 'problem');
    return {
      query: q,
      as: s.as,
      cause: s.purchase || s.code ? (first?.cause ?? null) : 'not_found',
      summary:
        s.purchase || s.code
          ? (first?.said ?? 'Everything Wavu can check looks right.')
          : 'Nothing matches that. Check the number, code or receipt and try again.',
      purchaseId: s.purchase?.id ?? null,
      accessCodeId: s.code?.id ?? null,
      subscriberId: null,
      checks,
    };
  };
  const stop = () => checks.some((c) => c.verdict === 'problem');
  if (s.purchase) checks.push(await paymentCheck(deps, s.purchase));
  if (stop() || !s.code) return result();
  checks.push(codeCheck(deps, s.code, s.purchase));
  if (stop()) return result();
  checks.push(await devicesCheck(deps, s.code, s.mac));

  const grants = await query<Grant>(
    deps.db,
    sql`SELECT g.router_id, r.name, g.status, g.attempts, g.last_error, g.granted_at
        FROM access_grants g JOIN routers r ON r.id = g.router_id WHERE g.access_code_id = ${s.code.id}
        ORDER BY g.requested_at`,
  );
  const retry = s.purchase ? { action: { kind: 'retry-grant' as const, purchaseId: s.purchase.id } } : {};
  if (grants.length) {
    const stuck = grants.filter((g) => g.status === 'pending');
    checks.push({
      id: 'grants',
      title: 'Sending the code to the router',
      verdict: stuck.some((g) => g.last_error) ? 'warning' : 'ok',
      said: stuck.length
        ? `Wavu is still putting the code on ${stuck.map((g) => g.name).join(', ')} (${stuck[0]!.attempts} tries so far).`
        : 'The code was put on the router.',
      evidence: grants.map(
        (g) =>
          `${g.name}: ${g.status}${g.granted_at ? ` at ${when(g.granted_at)}` : ''}${g.last_error ? `; last error: ${g.last_error}` : ''}.`,
      ),
      fix: stuck.length
        ? 'It retries by itself. Once the router answers, press "Retry grant" to hurry it.'
        : null,
      ...(stuck.length ? retry : {}),
    });
  }

  const routerId = s.purchase?.router_id ?? grants[0]?.router_id ?? null;
  if (routerId !== null) {
    const [r] = await query<{
      name: string;
      mode: string;
      host: string | null;
      api_port: number | null;
      api_transport: string;
      username: string | null;
      status: string;
      last_seen_at: string | null;
      last_error: string | null;
    }>(
      deps.db,
      sql`SELECT name, mode, host, api_port, api_transport, username, status, last_seen_at, last_error
          FROM routers WHERE id = ${routerId}`,
    );
    if (r) {
      const live = await userOnRouter(deps, routerId, deps.sealer.unseal(s.code.code_sealed ?? ''));
      const problemRouter = {
        name: r.name,
        mode: r.mode,
        host: r.host,
        apiPort: r.api_port,
        apiTransport: r.api_transport,
        username: r.username,
      };
      const down = live.state === 'unreachable' || (live.state === 'unknown' && r.status === 'down');
      const error = live.state === 'unreachable' ? live.error : r.last_error;
      checks.push({
        id: 'router',
        title: `Router ${r.name}`,
        verdict: down ? 'problem' : 'ok',
        ...(down ? { cause: 'router_down' as const } : {}),
        said: down
          ? `The router ${r.name} is not answering${r.last_seen_at ? `; last heard from at ${when(r.last_seen_at)}` : ''}.`
          : `The router ${r.name} answers.`,
        evidence: [
          `Wavu's record: ${r.status}${r.last_seen_at ? `, last heard from at ${when(r.last_seen_at)}` : ''}.`,
          ...(down && error ? [routerProblem(problemRouter, error) ?? error] : []),
        ],
        fix: down
          ? 'Check the router has power and internet. Customers get online by themselves once it is back. If they lost time while it was down, give the minutes back.'
          : null,
        ...(down ? { action: { kind: 'extend' as const, accessCodeId: s.code.id } } : {}),
      });
      // One "Retry grant" button is enough: the one beside the missing code.
      if (!down && live.state === 'missing') for (const c of checks) if (c.id === 'grants') delete c.action;
      if (!down && (live.state === 'present' || live.state === 'missing'))
        checks.push({
          id: 'router_user',
          title: 'Code on the router',
          verdict: live.state === 'present' ? 'ok' : 'problem',
          ...(live.state === 'missing' ? { cause: 'user_missing' as const, ...retry } : {}),
          said:
            live.state === 'present'
              ? `The router ${r.name} has the code.`
              : `The router ${r.name} does not have this code, so it cannot let the customer in.`,
          evidence: [`Asked ${r.name} just now.`],
          fix:
            live.state === 'missing'
              ? 'Press "Retry grant" to put it there now. (Wavu also puts it back on its next check of the router.)'
              : null,
        });
    }
  }

  const sessions = await query<{ name: string | null; mac: string | null; started_at: string }>(
    deps.db,
    sql`SELECT r.name, s.mac, s.started_at FROM sessions s LEFT JOIN routers r ON r.id = s.router_id
        WHERE s.access_code_id = ${s.code.id} AND s.status = 'active' ORDER BY s.started_at`,
  );
  checks.push({
    id: 'session',
    title: 'Online now',
    verdict: sessions.length ? 'ok' : 'info',
    said: sessions.length
      ? `Online now on ${sessions.length} device${sessions.length === 1 ? '' : 's'}.`
      : 'Not online right now.',
    evidence: sessions.map(
      (x) => `${x.mac ?? 'a device'} on ${x.name ?? 'a router'} since ${when(x.started_at)}.`,
    ),
    fix: sessions.length ? null : 'Ask the customer to open any web page and log in with the code.',
  });

  const macs = [s.mac, ...(await boundMacs(deps, s.code.id))].filter((m): m is string => !!m);
  const random = [...new Set(macs)].filter(isRandomMac);
  if (random.length)
    checks.push({
      id: 'random_mac',
      title: 'Private Wi-Fi address',
      verdict: 'warning',
      said: 'The phone uses a private (random) Wi-Fi address, which can change and look like a new device.',
      evidence: random.map((m) => `${m} is a made-up address (locally administered).`),
      fix: 'On the phone, open this Wi-Fi network\'s settings and turn off "Private address" (iPhone) or choose "Use device MAC" (Android).',
    });
  return result();
}

async function boundMacs(deps: Deps, codeId: string): Promise<string[]> {
  const rows = await query<{ mac: string }>(
    deps.db,
    sql`SELECT mac FROM access_devices WHERE access_code_id = ${codeId}`,
  );
  return rows.map((r) => r.mac);
}
