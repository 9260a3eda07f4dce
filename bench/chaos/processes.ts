/**
 * The processes of a fault run: each Wavu role and each simulator is its own `node bin/wavu.js …`
 * child, started, `kill -9`ed and started again exactly as a supervisor would. Output goes to one
 * log file per process (appended across restarts) so a broken run can be read afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

const WAVU = resolve(import.meta.dirname, '../../bin/wavu.js');

export interface ProcSpec {
  /** e.g. `serve-1`, `worker-2`, `daraja`. */
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Resolves when the process is ready, given its output so far (and may return what it printed). */
  ready: (out: string) => boolean;
  /** Extra readiness probe (e.g. GET /readyz), tried after `ready` matched. */
  probe?: () => Promise<boolean>;
}

export class Proc {
  child: ChildProcess | null = null;
  starts = 0;
  kills = 0;
  /** Started and ready, not killed since. */
  up = false;
  private out = '';
  private readonly log: WriteStream;

  constructor(
    readonly spec: ProcSpec,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  get output(): string {
    return this.out;
  }

  /**
   * Start and wait until ready; a child that exits first is an error (with its output). The
   * generous timeout is for a loaded machine, where starting takes tens of seconds.
   */
  async start(timeoutMs = 180_000): Promise<void> {
    this.starts++;
    this.out = '';
    this.log.write(`\n===== start #${this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, [WAVU, ...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.log.write(d);
      // Only the start-up output is needed to see readiness; keep memory flat on long runs.
      if (this.out.length < 200_000) this.out += d.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.spec.name} exited during start-up:\n${this.out.slice(-2000)}`);
      if (this.spec.ready(this.out) && (!this.spec.probe || (await this.spec.probe()))) {
        this.up = true;
        return;
      }
      if (Date.now() > deadline) throw new Error(`${this.spec.name} not ready in ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** `kill -9`: no shutdown hooks, no goodbye to the database. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    this.up = false;
    this.kills++;
    this.log.write(`\n===== kill -9 at ${new Date().toISOString()} =====\n`);
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  /** Graceful stop at the end of the run (SIGTERM, then SIGKILL if it hangs). */
  async stop(): Promise<void> {
    this.up = false;
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    }
    await new Promise((r) => this.log.end(r));
  }
}

/** Run `wavu ARGS` to completion (migrate, routers add); rejects with its output on failure. */
export function runWavu(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [WAVU, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? res(out) : rej(new Error(`wavu ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
