/**
 * /sim/phone: a tiny server-rendered "phone" for the demo. It lists STK prompts waiting for a
 * person; tapping Pay / Cancel / Wrong PIN / No answer / No money answers the prompt exactly as a
 * handset would. Works without JavaScript (plain forms) and refreshes itself every few seconds.
 * It can also pay the Paybill by hand (C2B) to try the manual-payment path.
 */
import type { FastifyInstance } from 'fastify';
import { normalizePhone } from '../../lib/phone.ts';
import type { DarajaSim } from './engine.ts';
import type { PhoneAction } from './outcomes.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ACTIONS: [PhoneAction, string][] = [
  ['pay', 'Pay'],
  ['cancel', 'Cancel'],
  ['wrong_pin', 'Wrong PIN'],
  ['no_answer', 'No answer'],
  ['insufficient', 'No money'],
];

const CSS = `body{font:16px system-ui,sans-serif;margin:0;background:#e9ecef;color:#111}
main{max-width:380px;margin:12px auto;background:#fff;border-radius:18px;padding:14px 16px;box-shadow:0 2px 8px #0002}
h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:16px 0 6px;color:#444}
.p{border:1px solid #2e7d32;border-radius:10px;padding:10px;margin:8px 0;background:#f1f8f1}
.p b{font-size:17px}.m{color:#555;font-size:13px}form{display:inline}
button{font-size:15px;padding:8px 10px;margin:6px 4px 0 0;border-radius:8px;border:1px solid #888;background:#fff}
button.pay{background:#2e7d32;color:#fff;border-color:#2e7d32}
li{font-size:13px;margin:3px 0}input{font-size:15px;padding:6px;width:9em}
.ok{color:#2e7d32}.bad{color:#b71c1c}`;

export function renderPhonePage(
  sim: DarajaSim,
  o: { base: string; phone?: string | undefined; note?: string },
): string {
  const prompts = sim.prompts(o.phone);
  const recent = sim.recent(8, o.phone);
  const q = o.phone ? `?phone=${encodeURIComponent(o.phone)}` : '';
  const promptHtml = prompts.length
    ? prompts
        .map(
          (t) => `<div class="p"><div class="m">M-PESA · to ${esc(t.phone)}</div>
<div>Pay <b>KES ${t.amount}</b> to ${esc(t.shortcode)}, account <b>${esc(t.accountReference)}</b>?</div>
<div class="m">Enter M-PESA PIN</div>
${ACTIONS.map(
  ([a, label]) =>
    `<form method="post" action="${o.base}/${encodeURIComponent(t.checkoutRequestId)}/${a}${q}"><button${a === 'pay' ? ' class="pay"' : ''} name="a" value="${a}">${label}</button></form>`,
).join('')}</div>`,
        )
        .join('\n')
    : '<p class="m">No prompts waiting. Start a payment on the portal; it shows up here.</p>';
  const recentHtml = recent
    .map(
      (t) =>
        `<li class="${t.resultCode === 0 ? 'ok' : 'bad'}">${esc(t.phone)} KES ${t.amount}: ${esc(t.resultDesc ?? '')}${
          t.receipt ? ` (${esc(t.receipt)})` : ''
        }</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="3">
<title>Phone simulator</title><style>${CSS}</style></head><body><main>
<h1>Phone simulator</h1>
${o.note ? `<p class="m">${esc(o.note)}</p>` : ''}
${promptHtml}
${recentHtml ? `<h2>Recent</h2><ul>${recentHtml}</ul>` : ''}
<h2>Pay the Paybill by hand</h2>
<form method="post" action="${o.base}/c2b${q}"><input name="phone" placeholder="phone" value="${esc(o.phone ?? '')}">
<input name="account" placeholder="account"><input name="amount" placeholder="amount" inputmode="numeric">
<button>Send</button></form>
<p class="m">Test numbers: ending 1032 cancel, 2001 wrong PIN, 1037 no answer, 0001 no money, 0404 lost callback.</p>
</main></body></html>`;
}

export async function phonePageRoutes(
  app: FastifyInstance,
  opts: { sim: DarajaSim; base: string },
): Promise<void> {
  const { sim, base } = opts;
  // Plain HTML forms post urlencoded bodies; parsed here so the page needs no extra package.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get('/', async (req, reply) => {
    const q = req.query as { phone?: string; note?: string };
    const phone = q.phone ? (normalizePhone(q.phone) ?? undefined) : undefined;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderPhonePage(sim, { base, phone, note: q.note }));
  });
  app.post('/:checkout/:action', async (req, reply) => {
    const p = req.params as { checkout: string; action: string };
    const q = req.query as { phone?: string };
    const action = ACTIONS.find(([a]) => a === p.action)?.[0];
    const done = action ? sim.act(p.checkout, action) : false;
    const note = done ? 'Done.' : 'That prompt is no longer waiting.';
    const params = new URLSearchParams({ ...(q.phone ? { phone: q.phone } : {}), note });
    return reply.redirect(`${base}?${params}`, 303);
  });
  app.post('/c2b', async (req, reply) => {
    const b = (req.body ?? {}) as { phone?: string; account?: string; amount?: string };
    const q = req.query as { phone?: string };
    const phone = normalizePhone(b.phone ?? '');
    const amount = Number(b.amount);
    let note = 'Sent.';
    if (!phone || !Number.isInteger(amount) || amount < 1) note = 'Enter a phone number and a whole amount.';
    else {
      const m = sim.merchants[0]!;
      const r = sim.c2bSimulate('phone-page', {
        ShortCode: m.shortcode,
        CommandID: 'CustomerPayBillOnline',
        Amount: amount,
        Msisdn: phone,
        BillRefNumber: (b.account ?? '').slice(0, 20),
      });
      if (r.status !== 200) note = 'The payment was refused.';
    }
    const params = new URLSearchParams({ ...(q.phone ? { phone: q.phone } : {}), note });
    return reply.redirect(`${base}?${params}`, 303);
  });
}
