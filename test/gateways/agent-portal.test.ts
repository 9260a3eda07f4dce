/** The portal on an agent router: it waits for the router's ack, saying so, then submits the CHAP login. */
import { afterEach, expect, it, vi } from 'vitest';
import { gatewaysModule } from '../../src/gateways/module.ts';
import { en } from '../../src/portal/i18n/en.ts';
import { portalModule } from '../../src/portal/module.ts';
import { sealGrant } from '../../src/portal/token.ts';
import { type AgentHarness, agentHarness } from './agent-helpers.ts';

vi.setConfig({ testTimeout: 120_000 });
let h: AgentHarness;
afterEach(async () => {
  await h?.close();
});

const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

it('waits for the ack with a page that says why, then logs in with CHAP', async () => {
  h = await agentHarness({ modules: [gatewaysModule, portalModule] });
  await h.poll();
  const mac = 'A4:00:00:00:00:09';
  const ip = '10.5.50.9';
  const { accessCodeId, code } = await h.issue({ mac });
  await h.drain(); // the grant job: for an agent router it only queues the command
  const token = sealGrant(h.app.deps.sealer, { code, accessCodeId, at: h.clock.now().getTime() });
  h.agent.router.join(mac, ip);
  const chap = h.agent.router.newChallenge(ip);
  const q = new URLSearchParams({
    t: token,
    mac,
    ip,
    'link-login-only': 'http://10.5.50.1/login',
    'chap-id': octal(chap.id),
    'chap-challenge': octal(chap.challenge),
  });
  const get = () => h.app.server!.inject({ method: 'GET', url: `/portal/connect?${q}` });
  const waiting = await get();
  expect(waiting.statusCode).toBe(200);
  expect(waiting.body).toContain(escapeHtml(en.agentWaitText).slice(0, 60));
  expect(waiting.body).not.toContain('action="http://10.5.50.1/login"');

  await h.poll(); // the router collects it and acks
  const ready = await get();
  expect(ready.body).toContain('action="http://10.5.50.1/login"');
  const password = /name="password" value="([0-9a-f]{32})"/.exec(ready.body)?.[1];
  expect(password).toBeDefined();
  const r = h.agent.router.login({ user: code, password: password!, ip, chap: true, by: 'http-chap' });
  expect(r.ok).toBe(true);
});
