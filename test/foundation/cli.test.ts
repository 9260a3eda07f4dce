import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function wavu(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/wavu.js', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', WAVU_DATA_DIR: mkdtempSync(join(tmpdir(), 'wavu-cli-')), ...env },
    timeout: 60_000,
  });
}

describe('wavu CLI', () => {
  it('--help lists the commands', () => {
    const r = wavu(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['start', 'serve', 'worker', 'migrate']) expect(r.stdout).toContain(`  ${c} `);
  });

  it('bad config names the variable, with no stack trace', () => {
    const r = wavu(['migrate'], { PORT: 'abc' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT: must be a whole number');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('production without secrets refuses to start and lists what is missing', () => {
    const r = wavu(['start'], { WAVU_MODE: 'production' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SECRET_KEY is required when WAVU_MODE=production');
    expect(r.stderr).toContain('MPESA_CALLBACK_SECRET is required when WAVU_MODE=production');
    // The Daraja credentials may come from the dashboard instead, so they do not stop a start.
    expect(r.stderr).not.toContain('MPESA_PASSKEY');
  });

  it('an unknown command or option is a usage error', () => {
    expect(wavu(['frobnicate']).status).toBe(2);
    const r = wavu(['migrate', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });

  it('migrate applies migrations once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavu-cli-'));
    const first = wavu(['migrate'], { WAVU_DATA_DIR: dir });
    expect(first.stdout).toContain('0001_init.sql');
    const second = wavu(['migrate'], { WAVU_DATA_DIR: dir });
    expect(second.stdout).toContain('up to date');
  }, 120_000);
});
