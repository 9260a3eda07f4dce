/**
 * The simulated router running Wavu's agent, with no API listening: it runs the install script
 * Wavu prints, then its scheduler runs the agent script, which polls Wavu and runs what comes
 * back, all through the script interpreter over the same SimRouter the API server uses.
 *
 * Optional: a state file standing in for flash (configuration, scripts and schedules survive a
 * restart; sessions and global variables do not, as on a power cut), and a crash hook that kills
 * the process after N configuration writes (a router losing power in the middle of a command).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Row } from '../../protocols/routeros/types.ts';
import { parseRosTime } from '../../gateways/index.ts';
import type { SimRouter } from './router.ts';
import {
  describeWrite,
  type FetchRequest,
  Interpreter,
  ScriptError,
  type ScriptHost,
  ScriptRefused,
} from './script/interp.ts';

export interface SimAgentOptions {
  router: SimRouter;
  /** CA certificates the router trusts (check-certificate=yes). */
  ca?: string | Buffer;
  /** Run the scheduler this often instead of its own interval (tests). */
  intervalMs?: number;
  /** Multiply `:delay` by this (tests). */
  delayScale?: number;
  statePath?: string;
  /** Call `onDie` after this many configuration writes (crash tests). */
  dieAfterWrites?: number;
  onDie?: () => void;
  log?: (level: string, message: string) => void;
}

interface SavedState {
  config: ReturnType<SimRouter['exportConfig']>;
  scripts: [string, { source: string; policy: string }][];
  schedulers: [string, Row][];
  ntp: Row;
  journal: string[];
}

export class SimAgent {
  readonly router: SimRouter;
  readonly interp: Interpreter;
  readonly host: ScriptHost;
  /** Every configuration write, in order (kept in the state file across restarts). */
  journal: string[] = [];
  /** Scripts the interpreter refused: a test fails on any. */
  readonly refused: string[] = [];
  readonly logs: { level: string; message: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writes = 0;
  private running = new Set<Promise<void>>();
  private inflight = new Set<http.ClientRequest>();

  constructor(private readonly o: SimAgentOptions) {
    this.router = o.router;
    const scripts = new Map<string, { source: string; policy: string }>();
    const schedulers = new Map<string, Row>();
    const ntp: Row = {};
    if (o.statePath) {
      try {
        const s = JSON.parse(readFileSync(o.statePath, 'utf8')) as SavedState;
        this.router.importConfig(s.config);
        for (const [k, v] of s.scripts) scripts.set(k, v);
        for (const [k, v] of s.schedulers) schedulers.set(k, v);
        Object.assign(ntp, s.ntp);
        this.journal = s.journal;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    this.host = {
      router: this.router,
      scripts,
      schedulers,
      ntp,
      fetch: (r) => this.fetch(r),
      delay: (s) => new Promise((res) => setTimeout(res, s * 1000 * (o.delayScale ?? 1))),
      log: (level, message) => {
        this.logs.push({ level, message });
        if (this.logs.length > 500) this.logs.shift();
        o.log?.(level, message);
      },
      afterWrite: (path, verb, attrs) => {
        this.journal.push(describeWrite(path, verb, attrs));
        this.save();
        this.writes++;
        if (o.dieAfterWrites !== undefined && this.writes >= o.dieAfterWrites) o.onDie?.();
      },
    };
    this.interp = new Interpreter(this.host);
  }

  private save(): void {
    if (!this.o.statePath) return;
    const s: SavedState = {
      config: this.router.exportConfig(),
      scripts: [...this.host.scripts],
      schedulers: [...this.host.schedulers],
      ntp: this.host.ntp,
      journal: this.journal,
    };
    // Written whole and renamed: a kill mid-write leaves the previous state, as flash would.
    writeFileSync(`${this.o.statePath}.tmp`, JSON.stringify(s));
    renameSync(`${this.o.statePath}.tmp`, this.o.statePath);
  }

  /** Run a script as if pasted into the terminal (the install script). */
  async runScript(source: string): Promise<void> {
    try {
      await this.interp.run(source);
    } catch (e) {
      if (e instanceof ScriptRefused) this.refused.push(e.message);
      throw e;
    }
  }

  /** One scheduler run of each schedule (what RouterOS does at each interval). */
  tick(): Promise<void> {
    const runs = [...this.host.schedulers.values()].map((s) => this.guarded(s['on-event'] ?? ''));
    return Promise.all(runs).then(() => {});
  }

  private guarded(source: string): Promise<void> {
    const p = this.interp.run(source).catch((e) => {
      if (e instanceof ScriptRefused) {
        this.refused.push(e.message);
        this.host.log('error', `REFUSED: ${e.message}`);
      } else if (e instanceof ScriptError) this.host.log('error', e.message);
      else this.host.log('error', `simulator: ${(e as Error).stack}`);
    });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  start(): void {
    if (this.timer) return;
    const sched = [...this.host.schedulers.values()][0];
    const every = this.o.intervalMs ?? (parseRosTime(sched?.interval ?? '10s') ?? 10) * 1000;
    // start-time=startup: the first run right after boot.
    void this.tick();
    this.timer = setInterval(() => void this.tick(), every);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Power off: a poll held open by the server ends now.
    for (const r of this.inflight) r.destroy(new Error('router stopped'));
    await Promise.all([...this.running]);
  }

  private fetch(r: FetchRequest): Promise<{ status: number; body: string }> {
    const u = new URL(r.url);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        u,
        {
          method: r.method,
          headers: {
            ...r.headers,
            ...(r.body !== undefined ? { 'content-length': Buffer.byteLength(r.body) } : {}),
          },
          ...(u.protocol === 'https:'
            ? { rejectUnauthorized: r.checkCertificate, ...(this.o.ca ? { ca: this.o.ca } : {}) }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      this.inflight.add(req);
      req.once('close', () => this.inflight.delete(req));
      req.setTimeout(r.idleTimeoutMs, () => req.destroy(new Error('connection timeout')));
      req.on('error', reject);
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  }
}
