/**
 * Holding a poll open until a command is queued, on any node: one LISTEN per process on
 * `wavu_agent` (payload: the router id) wakes the requests held for that router. A missed
 * NOTIFY costs at most one re-check period of the poll, so correctness never depends on it.
 */
import type { Database } from '../../db/open.ts';
import { AGENT_CHANNEL } from './commands.ts';

class AgentWaiters {
  private readonly waiting = new Map<number, Set<() => void>>();
  private started: Promise<void> | null = null;
  private stop: (() => Promise<void>) | null = null;

  constructor(private readonly database: Database) {}

  private ensure(): Promise<void> {
    this.started ??= this.database
      .listen(AGENT_CHANNEL, (p) => this.wake(Number(p)))
      .then((s) => {
        this.stop = s;
      })
      .catch(() => {}); // no LISTEN: the one-second re-checks still work
    return this.started;
  }

  private wake(routerId: number): void {
    const set = this.waiting.get(routerId);
    this.waiting.delete(routerId);
    for (const w of set ?? []) w();
  }

  async wait(routerId: number, ms: number, signal?: AbortSignal): Promise<void> {
    await this.ensure();
    await new Promise<void>((resolve) => {
      const set = this.waiting.get(routerId) ?? new Set();
      this.waiting.set(routerId, set);
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  async close(): Promise<void> {
    await this.stop?.();
    for (const id of [...this.waiting.keys()]) this.wake(id);
  }
}

const hubs = new WeakMap<Database, AgentWaiters>();

export function agentWaiters(database: Database): AgentWaiters {
  let h = hubs.get(database);
  if (!h) {
    h = new AgentWaiters(database);
    hubs.set(database, h);
  }
  return h;
}

export async function closeAgentWaiters(database: Database): Promise<void> {
  await hubs.get(database)?.close();
  hubs.delete(database);
}
