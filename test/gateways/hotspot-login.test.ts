import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeHotspotOctal,
  hotspotChapResponse,
  hotspotLoginForm,
  loginOnRouter,
} from '../../src/gateways/hotspot-login.ts';
import { loginHtml } from '../../src/gateways/setup-script.ts';
import { AppError } from '../../src/lib/errors.ts';
import { type Harness, harness } from './helpers.ts';

describe('HTTP-CHAP helper', () => {
  it('decodes the octal escapes the hotspot renders', () => {
    expect(decodeHotspotOctal('\\371')).toEqual(Buffer.from([0xf9]));
    expect(decodeHotspotOctal('\\000\\015\\377')).toEqual(Buffer.from([0, 13, 255]));
  });

  it('matches the computed reference vector', () => {
    const id = '\\371';
    const challenge = '\\357\\015\\330\\013\\021\\234\\145\\245\\303\\253\\142\\246\\133\\175\\375\\316';
    expect(hotspotChapResponse(id, 'secret', challenge)).toBe('e5627b636f982d6233d0cf5931d404c2');
  });

  it('builds a CHAP form when the router sent a challenge, PAP otherwise', () => {
    const chap = hotspotLoginForm({
      linkLoginOnly: 'http://10.5.50.1/login',
      code: 'K7Q2M9',
      chapId: '\\371',
      chapChallenge: '\\001\\002',
      dst: 'http://example.com/',
    });
    expect(chap.fields.password).toMatch(/^[0-9a-f]{32}$/);
    expect(chap.fields.password).not.toContain('K7Q2M9');
    const pap = hotspotLoginForm({ linkLoginOnly: 'http://10.5.50.1/login', code: 'K7Q2M9' });
    expect(pap.fields).toEqual({ username: 'K7Q2M9', password: 'K7Q2M9', popup: 'false' });
    expect(() => hotspotLoginForm({ linkLoginOnly: 'javascript:alert(1)', code: 'X' })).toThrow(AppError);
  });
});

describe('logging a device in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('a browser goes router → login.html → portal → CHAP form → online', async () => {
    const { code } = await h.issue({ mac: 'A4:00:00:00:03:01' });
    await h.drain();
    // A router serving Wavu's login.html, with its variables filled in.
    const html = loginHtml({ publicUrl: 'https://wifi.example.com', routerName: 'r1' });
    expect(html).not.toMatch(/src=|href=|https?:\/\/(?!wifi\.example\.com)/); // nothing fetched from elsewhere
    expect(Buffer.byteLength(html)).toBeLessThan(1024);
    const { startRouterOsSim } = await import('../../src/sim/routeros/index.ts');
    const sim = await startRouterOsSim({ users: [{ name: 'wavu', password: 'x' }], loginHtml: () => html });
    try {
      sim.router.add('/ip/hotspot/user', { name: code, password: code });
      const page = await (
        await fetch(
          `http://127.0.0.1:${sim.httpPort}/login?mac=A4:00:00:00:03:01&ip=10.5.50.77&dst=http://neverssl.com/`,
        )
      ).text();
      const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(page)?.[1] ?? '';
      expect(page).toContain('action="https://wifi.example.com/portal"');
      expect(field('router')).toBe('r1');
      expect(field('mac')).toBe('A4:00:00:00:03:01');
      expect(field('ip')).toBe('10.5.50.77');
      expect(field('link-orig')).toBe('http://neverssl.com/');
      expect(field('chap-id')).toMatch(/^(\\[0-7]{3})$/);
      expect(field('chap-challenge')).toMatch(/^(\\[0-7]{3}){16}$/);
      // The portal (after payment) builds the auto-submitting form; the browser posts it to the router.
      const form = hotspotLoginForm({
        linkLoginOnly: field('link-login-only'),
        code,
        chapId: field('chap-id'),
        chapChallenge: field('chap-challenge'),
        dst: field('link-orig'),
      });
      const res = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, mac: 'A4:00:00:00:03:01', ip: '10.5.50.77' }),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('http://neverssl.com/');
      expect(sim.router.list('/ip/hotspot/active')).toMatchObject([
        { user: code, 'mac-address': 'A4:00:00:00:03:01', address: '10.5.50.77', 'login-by': 'http-chap' },
      ]);
      // A wrong answer to the challenge is refused with the hotspot's message, back through login.html.
      await fetch(`http://127.0.0.1:${sim.httpPort}/login?mac=A4:00:00:00:03:02&ip=10.5.50.78`);
      const bad = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, mac: 'A4:00:00:00:03:02', ip: '10.5.50.78' }),
      });
      expect(await bad.text()).toContain('name="error" value="invalid username or password"');
    } finally {
      await sim.stop();
    }
  });

  it('server-side login for api mode (/ip/hotspot/active/login)', async () => {
    const { code } = await h.issue({ mac: 'A4:00:00:00:04:01' });
    await h.drain();
    await loginOnRouter(h.app.deps, 'r1', { code, ip: '10.5.50.90', mac: 'A4:00:00:00:04:01' });
    expect(h.active().some((a) => a.user === code && a.address === '10.5.50.90')).toBe(true);
    await expect(loginOnRouter(h.app.deps, 'r1', { code: 'NOPE', ip: '10.5.50.91' })).rejects.toThrow(
      'invalid username or password',
    );
    // The code is bound to one MAC: another device is refused by the router itself.
    await expect(
      loginOnRouter(h.app.deps, 'r1', { code, ip: '10.5.50.92', mac: 'A4:00:00:00:04:99' }),
    ).rejects.toThrow('not allowed to log in from this MAC address');
    h.sim.setFault('down');
    await expect(loginOnRouter(h.app.deps, 'r1', { code, ip: '10.5.50.90' })).rejects.toMatchObject({
      code: 'unavailable',
    });
    h.sim.setFault('none');
  });
});
