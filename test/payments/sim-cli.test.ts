/** `wavu sim daraja` runs the simulator alone; a real Daraja client can use it. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createDarajaClient } from '../../src/protocols/daraja/client.ts';
import { DEMO_APP, DEMO_MERCHANT } from '../../src/sim/daraja/engine.ts';

let child: ChildProcess | null = null;
afterAll(() => {
  child?.kill('SIGTERM');
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
    child = spawn(process.execPath, ['bin/wavu.js', 'sim', 'daraja', '--port', '0', '--auto'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /Daraja simulator on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child!.on('exit', (c) => reject(new Error(`exited ${c}`)));
      setTimeout(() => reject(new Error(`no start: ${out}`)), 30_000);
    });
    const c = createDarajaClient({
      baseUrl: url,
      ...DEMO_APP,
      shortcode: DEMO_MERCHANT.shortcode,
      passkey: DEMO_MERCHANT.passkey,
      type: 'paybill',
    });
    const push = await c.stkPush({
      amountKes: 10,
      phone: '254712000999',
      callbackUrl: 'http://127.0.0.1:9/cb',
      accountReference: 'X',
      description: 'X',
    });
    expect(push.ok).toBe(true);
  });
});
