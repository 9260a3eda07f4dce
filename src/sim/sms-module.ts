/**
 * /sim/sms: the demo's "phone inbox" for the simulated SMS gateway. HTML for people (newest first),
 * JSON for tests, and a switch to make the next sends fail.
 */
import { z } from 'zod';
import type { Module } from '../app/module.ts';
import { AppError } from '../lib/errors.ts';
import { displayPhone, normalizePhone } from '../lib/phone.ts';
import { SimSmsGateway } from './sms-gateway.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function gateway(sms: { sim: unknown }): SimSmsGateway {
  if (sms.sim instanceof SimSmsGateway) return sms.sim;
  throw new AppError('conflict', 'The SMS simulator is not in use (SMS_PROVIDER is not "sim").');
}

export const simSmsModule: Module = {
  name: 'sim-sms',
  demoOnly: true,
  routes(app, deps) {
    const listQuery = z.object({
      to: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    });

    app.get('/sim/sms/messages', async (req) => {
      const q = listQuery.parse(req.query);
      const to = q.to ? (normalizePhone(q.to) ?? q.to) : undefined;
      return { messages: await gateway(deps.sms).messages({ to, limit: q.limit }) };
    });

    app.post('/sim/sms/faults', async (req) => {
      const b = z
        .object({ kind: z.enum(['retryable', 'permanent']), count: z.number().int().min(0).max(100) })
        .or(z.object({ clear: z.literal(true) }))
        .parse(req.body);
      const g = gateway(deps.sms);
      if ('clear' in b) g.clearFaults();
      else g.injectFaults(b.kind, b.count);
      return { pendingFaults: g.pendingFaults() };
    });

    app.get('/sim/sms', async (req, reply) => {
      const q = listQuery.parse(req.query);
      const to = q.to ? (normalizePhone(q.to) ?? q.to) : undefined;
      const sim = deps.sms.sim instanceof SimSmsGateway ? deps.sms.sim : null;
      const msgs = sim ? await sim.messages({ to, limit: q.limit }) : [];
      const items = msgs
        .map(
          (m) =>
            `<li><div class="h"><b>${esc(displayPhone(m.to))}</b><time>${esc(m.receivedAt.replace('T', ' ').slice(0, 19))} UTC</time></div><p>${esc(m.body)}</p></li>`,
        )
        .join('');
      reply.type('text/html; charset=utf-8');
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="5"><title>SMS inbox (simulator)</title>
<style>body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:34rem;padding:1rem;background:#f4f4f5}
h1{font-size:1.2rem}ul{list-style:none;padding:0}li{background:#fff;border-radius:.6rem;padding:.6rem .8rem;margin:.5rem 0;box-shadow:0 1px 2px #0002}
.h{display:flex;justify-content:space-between;color:#555;font-size:.85rem}p{margin:.3rem 0 0;white-space:pre-wrap;word-break:break-word}</style></head>
<body><h1>SMS inbox <small>(simulator, newest first)</small></h1>
<form><input name="to" placeholder="Filter by phone" value="${esc(q.to ?? '')}"> <button>Filter</button></form>
${sim ? '' : '<p>SMS_PROVIDER is not "sim": messages go to the real gateway.</p>'}
<ul>${items || '<li>No messages yet.</li>'}</ul></body></html>`;
    });
  },
};
