/** `wavu sim daraja` runs the simulator alone; a real Daraja client can use it. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createDarajaClient } from '../../src/protocols/daraja/client.ts';
import type { SimStkView } from '../../src/sim/daraja/control.ts';
import { DEMO_APP, DEMO_MERCHANT } from '../../src/sim/daraja/types.ts';

let child: ChildProcess | null = null;
let manual: ChildProcess | null = null;
afterAll(() => {
  child?.kill('SIGTERM');
  manual?.kill('SIGTERM');
});

/** Start `wavu sim daraja ARGS` and resolve with its URL once it listens. */
function startSim(args: string[]): { proc: ChildProcess; url: Promise<string> } {
  const proc = spawn(process.execPath, ['bin/wavu.js', 'sim', 'daraja', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /Daraja simulator on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (c) => reject(new Error(`exited ${c}`)));
    setTimeout(() => reject(new Error(`no start: ${out}`)), 30_000);
  });
  return { proc, url };
}

const client = (baseUrl: string) =>
  createDarajaClient({
    baseUrl,
    ...DEMO_APP,
    shortcode: DEMO_MERCHANT.shortcode,
    passkey: DEMO_MERCHANT.passkey,
    type: 'paybill',
  });

describe('wavu sim', () => {
  it('lists simulators and refuses unknown ones', () => {
    const help = spawnSync(process.execPath, ['bin/wavu.js', 'sim', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('  daraja ');
    const sub = spawnSync(process.execPath, ['bin/wavu.js', 'sim', 'daraja', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(sub.stdout).toContain('--drop R');
    const bad = spawnSync(process.execPath, ['bin/wavu.js', 'sim', 'nope'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown simulator "nope"');
  });

  it('wavu sim daraja --port 0 --auto serves Daraja', async () => {
    const s = startSim(['--port', '0', '--auto']);
    child = s.proc;
    const c = client(await s.url);
    const push = await c.stkPush({
      amountKes: 10,
      phone: '254712000999',
      callbackUrl: 'http://127.0.0.1:9/cb',
      accountReference: 'X',
      description: 'X',
    });
    expect(push.ok).toBe(true);
  });

  it('lists pushes as JSON for scripts, which answer them on the phone page like a person', async () => {
    const s = startSim(['--port', '0', '--seed', '7', '--prompt-timeout', '600000', '--query-500', '0']);
    manual = s.proc;
    const url = await s.url;
    const phone = '254712000888';
    const push = await client(url).stkPush({
      amountKes: 20,
      phone,
      callbackUrl: 'http://127.0.0.1:9/cb',
      accountReference: 'REF1',
      description: 'WiFi',
    });
    expect(push.ok).toBe(true);
    const list = async (q: string) =>
      ((await (await fetch(`${url}/_sim/stk?${q}`)).json()) as { transactions: SimStkView[] }).transactions;
    const [waiting] = await list(`phone=${phone}&state=pending`);
    expect(waiting).toMatchObject({
      phone,
      amount: 20,
      accountReference: 'REF1',
      manual: true,
      resultCode: null,
    });
    const pay = await fetch(`${url}/sim/phone/${waiting!.checkoutRequestId}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(pay.status).toBe(303);
    const [done] = await list(`phone=${phone}`);
    expect(done).toMatchObject({ state: 'final', resultCode: 0 });
    expect(done!.receipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(await list('state=pending')).toEqual([]);
  });

  it('refuses a malformed fault option with a usage error', () => {
    const bad = spawnSync(process.execPath, ['bin/wavu.js', 'sim', 'daraja', '--prompt-timeout', 'soon'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--prompt-timeout must be a whole number');
  });
});
