/**
 * One process per embedded database folder: a second PGlite on it would not see the first one's
 * writes and would lose its own, so a second live process is refused and a dead one's lock taken.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { openDatabase } from '../../src/db/open.ts';

const lockOf = (dir: string) => join(dir, 'wavu.lock');

describe('the embedded database folder', () => {
  it('is refused while another live process holds it, with what to do instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavu-lock-'));
    // The test runner's parent is alive and is not us: as a running `wavu start` would be.
    writeFileSync(lockOf(dir), String(process.ppid));
    const err = await openDatabase({ dataDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`in use by another Wavu process (pid ${process.ppid})`);
    expect(err.message).toContain('DATABASE_URL');
  });

  it('takes over a lock left by a process that died, and gives it back on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavu-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(lockOf(dir), dead.stdout.toString());
    const db = await openDatabase({ dataDir: dir });
    expect(existsSync(lockOf(dir))).toBe(true);
    await db.close();
    expect(existsSync(lockOf(dir))).toBe(false);
  });
});
