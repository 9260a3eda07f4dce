/**
 * Durable job runner on the database. Any number of workers (threads of one process or many
 * nodes) claim jobs with FOR UPDATE SKIP LOCKED, so a job is held by one worker at a time. A
 * claim is a lease: a worker killed mid-run stops renewing it, and once it lapses another worker
 * takes the job over. Failures retry with exponential backoff, then go to `dead`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { asDate, type Database, query } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { createEpisodes, type Episodes } from '../lib/episodes.ts';
import { JOBS_CHANNEL } from './enqueue.ts';
import { type JobDefinition, PermanentJobError, type RecurringJob, RetryLater } from './types.ts';

export interface WorkerOptions {
  database: Database;
  clock: Clock;
  log: Logger;
  definitions: JobDefinition[];
  recurring?: RecurringJob[];
  concurrency?: number;
  pollMs?: number;
  /** Lease of the kinds that do not declare their own (housekeeping); see DEFAULT_LEASE_MS. */
  leaseMs?: number;
  id?: string;
}

interface ClaimedJob {
  id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

const DEFAULT_BACKOFF = { baseMs: 2_000, maxMs: 15 * 60_000 };
/** Lease of a kind that declares none. Kinds a customer waits on declare a short one. */
export const DEFAULT_LEASE_MS = 120_000;

export function backoffMs(attempt: number, b = DEFAULT_BACKOFF, rand = Math.random): number {
  const exp = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter on the upper half keeps many failed jobs from retrying in lockstep.
  return Math.round(exp / 2 + (rand() * exp) / 2);
}

export class Worker {
  readonly id: string;
  private readonly defs = new Map<string, JobDefinition>();
  private readonly opts: Required<Omit<WorkerOptions, 'id' | 'recurring'>> & { recurring: RecurringJob[] };
  private running = false;
  private readonly active = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loopDone: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly lastSlot = new Map<string, number>();
  /** Jobs of each kind this worker is running (for the kinds' maxRunning). */
  private readonly runningOf = new Map<string, number>();
  /** What woke the idle loop: a job notification, a queued job's run_at, or the poll timer. */
  readonly wakeups = { notify: 0, due: 0, poll: 0 };
  /** The run_at last woken for: found again unclaimed (a frozen test clock), the poll takes over. */
  private lastDue = 0;
  /** Failures of a kind are warned about once per episode (first failure, then "recovered"). */
  private readonly episodes: Episodes;

  constructor(o: WorkerOptions) {
    this.id = o.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    for (const d of o.definitions) this.defs.set(d.kind, d);
    this.opts = {
      concurrency: 4,
      pollMs: 1_000,
      leaseMs: DEFAULT_LEASE_MS,
      ...o,
      recurring: o.recurring ?? [],
    };
    this.episodes = createEpisodes(this.opts.log);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.unlisten = await this.opts.database.listen(JOBS_CHANNEL, (kind) => {
        if (!this.defs.has(kind)) return;
        this.wakeups.notify++;
        this.wake();
      });
    } catch (e) {
      this.opts.log.warn({ err: e }, 'job notifications unavailable; polling only');
    }
    this.loopDone = this.loop();
  }

  /** Ask the loop to look for work now (e.g. after this process enqueued a job). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stop claiming, give running jobs `graceMs` to finish, then abort them and hand them back to
   * the queue so another worker can run them without waiting for the lease.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.unlisten?.();
    await this.loopDone;
    const all = Promise.allSettled([...this.active.values()]);
    const timedOut = await Promise.race([all.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      this.abort.abort();
      const ids = [...this.active.keys()];
      if (ids.length) {
        await this.opts.database.db.execute(
          sql`UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL,
                 attempts = GREATEST(attempts - 1, 0), updated_at = ${this.opts.clock.now()}
              WHERE locked_by = ${this.id} AND status = 'running'`,
        );
      }
      await Promise.race([all, sleep(1_000)]);
    }
  }

  /** Run whatever is due now, once, and wait for it (tests and `wavu jobs run`). */
  async drain(maxRounds = 100): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      await this.scheduleRecurring();
      const jobs = await this.claim(this.opts.concurrency);
      if (!jobs.length) break;
      total += jobs.length;
      await Promise.all(jobs.map((j) => this.execute(j)));
    }
    return total;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        await this.scheduleRecurring();
        const free = this.opts.concurrency - this.active.size;
        if (free > 0) {
          const jobs = await this.claim(free);
          claimed = jobs.length;
          for (const j of jobs) {
            this.runningOf.set(j.kind, (this.runningOf.get(j.kind) ?? 0) + 1);
            const p = this.execute(j).finally(() => {
              this.active.delete(j.id);
              this.runningOf.set(j.kind, this.runningOf.get(j.kind)! - 1);
              this.wake();
            });
            this.active.set(j.id, p);
          }
        }
      } catch (e) {
        this.opts.log.error({ err: e }, 'job loop error');
      }
      if (!this.running) break;
      // Claimed a full batch: there may be more, look again at once.
      if (claimed > 0 && this.active.size < this.opts.concurrency) continue;
      if (this.woken) {
        this.woken = false;
        continue;
      }
      const due = await this.nextDue().catch(() => null);
      // A notification or a finished job during that read: look again now, not after the wait.
      if (this.woken || !this.running) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          if (due) this.wakeups.due++;
          else this.wakeups.poll++;
          done();
        }, due?.inMs ?? this.opts.pollMs);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = null;
      this.woken = false;
    }
  }

  /**
   * A queued job of ours falling due before the next poll, and how long until it does. NOTIFY
   * wakes the loop for a new row, not when a row's run_at arrives: without this an expiry or a
   * retry waited up to a whole poll (1 s) past its time. One indexed read (jobs_ready_idx), and
   * only when the loop goes idle.
   */
  async nextDue(): Promise<{ inMs: number } | null> {
    const now = this.opts.clock.now();
    const [row] = await query<{ at: unknown }>(
      this.opts.database.db,
      sql`SELECT run_at AS at FROM jobs
          WHERE status = 'queued' AND run_at > ${now} AND run_at <= ${new Date(now.getTime() + this.opts.pollMs)}
            AND kind IN (${kindList([...this.defs.keys()])})
          ORDER BY run_at LIMIT 1`,
    );
    if (!row) return null;
    const at = asDate(row.at).getTime();
    if (at === this.lastDue) return null;
    this.lastDue = at;
    // run_at has microseconds; a millisecond over it so the claim finds it due.
    return { inMs: Math.max(1, Math.ceil(at - now.getTime()) + 1) };
  }

  /** How long a claim of this kind lasts without renewal: the kind's own lease, else the default. */
  private leaseOf(kind: string): number {
    return this.defs.get(kind)?.leaseMs ?? this.opts.leaseMs;
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    const kinds = [...this.defs.keys()];
    if (!kinds.length || limit <= 0) return [];
    const now = this.opts.clock.now();
    const due = sql`((status = 'queued' AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now}))`;
    // Kinds with a maxRunning are claimed each up to its room left; the rest share the limit.
    const open: string[] = [];
    const capped: { k: string; room: number }[] = [];
    for (const [k, d] of this.defs) {
      if (d.maxRunning === undefined) open.push(k);
      else {
        const room = Math.min(limit, d.maxRunning - (this.runningOf.get(k) ?? 0));
        if (room > 0) capped.push({ k, room });
      }
    }
    const arms = [
      ...(open.length
        ? [
            sql`(SELECT id, run_at FROM jobs WHERE kind IN (${kindList(open)}) AND ${due}
                ORDER BY run_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
          ]
        : []),
      ...capped.map(
        ({ k, room }) =>
          sql`(SELECT id, run_at FROM jobs WHERE kind = ${k} AND ${due}
               ORDER BY run_at, id LIMIT ${room} FOR UPDATE SKIP LOCKED)`,
      ),
    ];
    if (!arms.length) return [];
    // Each kind's own lease from the first moment: a grant claimed by a worker that dies at once
    // is taken over after its 15 s, not after the worker's default.
    const leaseUntil = sql`CASE kind ${sql.join(
      kinds.map((k) => sql`WHEN ${k} THEN ${new Date(now.getTime() + this.leaseOf(k))}::timestamptz`),
      sql` `,
    )} END`;
    // One CTE per arm (FOR UPDATE is not allowed in a UNION's arms). Rows an arm locked beyond the
    // limit are not updated, and their locks end with the statement.
    const rows = await query<ClaimedJob>(
      this.opts.database.db,
      sql`WITH ${sql.join(
        arms.map((arm, i) => sql`${sql.raw(`arm${i}`)} AS ${arm}`),
        sql`, `,
      )}, candidates AS (${sql.raw(arms.map((_, i) => `SELECT id, run_at FROM arm${i}`).join(' UNION ALL '))})
          UPDATE jobs SET status = 'running', locked_by = ${this.id}, locked_until = ${leaseUntil},
             attempts = attempts + 1, updated_at = ${now}
          WHERE id IN (SELECT id FROM candidates ORDER BY run_at, id LIMIT ${limit})
          RETURNING id, kind, payload, attempts, max_attempts`,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const def = this.defs.get(job.kind)!;
    const maxAttempts = job.max_attempts;
    // A lapsed lease means the worker died, not that the job failed: a job taken over after its
    // last attempt runs once more (a one-shot sweep killed mid-run is not a dead job). Dying again
    // on that extra run marks it dead, so a job that kills every worker does not loop forever.
    if (job.attempts > maxAttempts + 1) {
      await this.finish(job, 'dead', 'lease expired twice on the last attempt');
      return;
    }
    const leaseMs = this.leaseOf(job.kind);
    const renew = setInterval(
      () => {
        const until = new Date(this.opts.clock.now().getTime() + leaseMs);
        this.opts.database.db
          .execute(
            sql`UPDATE jobs SET locked_until = ${until} WHERE id = ${job.id} AND locked_by = ${this.id}`,
          )
          .catch(() => {});
      },
      Math.max(50, leaseMs / 3),
    );
    try {
      await def.handle(job.payload, {
        job: { id: job.id, kind: job.kind, attempts: job.attempts, maxAttempts },
        signal: this.abort.signal,
      });
      clearInterval(renew);
      await this.finish(job, 'done', null);
      this.episodes.recovered(
        `job:${job.kind}`,
        { kind: job.kind, job: job.id },
        'jobs of this kind work again',
      );
    } catch (e) {
      clearInterval(renew);
      if (this.abort.signal.aborted) return; // handed back by stop()
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof PermanentJobError || job.attempts >= maxAttempts) {
        // Dead is final and someone must look: an error every time.
        this.episodes.failed(
          `job:${job.kind}`,
          { err: e, kind: job.kind, job: job.id, attempt: job.attempts },
          'job failed for good',
          true,
        );
        await this.finish(job, 'dead', message);
        return;
      }
      const delay = e instanceof RetryLater ? e.delayMs : backoffMs(job.attempts, def.backoff);
      // RetryLater is a planned wait (a router down is reported by its own episode), not a failure.
      if (!(e instanceof RetryLater))
        this.episodes.failed(
          `job:${job.kind}`,
          { err: e, kind: job.kind, job: job.id, attempt: job.attempts, retryInMs: delay },
          'job failed; will retry',
        );
      const runAt = new Date(this.opts.clock.now().getTime() + delay);
      await this.opts.database.db.execute(
        sql`UPDATE jobs SET status = 'queued', run_at = ${runAt}, last_error = ${message.slice(0, 2000)},
               locked_by = NULL, locked_until = NULL, updated_at = ${this.opts.clock.now()}
            WHERE id = ${job.id} AND locked_by = ${this.id}`,
      );
    }
  }

  private async finish(job: ClaimedJob, status: 'done' | 'dead', error: string | null): Promise<void> {
    const now = this.opts.clock.now();
    // locked_by guards against a slow worker overwriting the outcome of one that took over.
    await this.opts.database.db.execute(
      sql`UPDATE jobs SET status = ${status}, finished_at = ${now}, updated_at = ${now},
             last_error = COALESCE(${error}, last_error), locked_by = NULL, locked_until = NULL
          WHERE id = ${job.id} AND locked_by = ${this.id}`,
    );
  }

  /**
   * One row per recurring job per time slot; the slot is in the idempotency key, so any number of
   * workers on any number of nodes create it once, and a node that was down does not build a backlog.
   */
  private async scheduleRecurring(): Promise<void> {
    const now = this.opts.clock.now().getTime();
    for (const r of this.opts.recurring) {
      const slot = Math.floor(now / r.everyMs) * r.everyMs;
      const kind = r.job.kind;
      if (this.lastSlot.get(kind) === slot) continue;
      const at = new Date(slot);
      await this.opts.database.db.execute(
        sql`INSERT INTO jobs (kind, payload, run_at, max_attempts, idempotency_key, created_at, updated_at)
            VALUES (${kind}, ${JSON.stringify(r.payload ?? {})}::jsonb, ${at}, ${r.job.maxAttempts},
                    ${`every:${kind}:${at.toISOString()}`}, ${new Date(now)}, ${new Date(now)})
            ON CONFLICT (idempotency_key) DO NOTHING`,
      );
      this.lastSlot.set(kind, slot);
    }
  }
}

/** Kind names as an SQL list, for `kind IN (…)`. */
const kindList = (kinds: string[]) =>
  sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  );

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
