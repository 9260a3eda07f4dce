/**
 * Waiting for a purchase to change without a database session per waiter: one LISTEN per process
 * (started by the payments module in the serve role) fans NOTIFYs out to in-memory waiters. Without
 * it (or if a notification is missed) waiters fall back to short polls, so correctness never
 * depends on NOTIFY.
 */
import type { Database } from '../db/open.ts';
import { PURCHASES_CHANNEL } from './sql-helpers.ts';

export class PurchaseEvents {
  private readonly waiters = new Map<string, Set<() => void>>();
  private stopListening: (() => Promise<void>) | null = null;

  async start(database: Database): Promise<void> {
    this.stopListening = await database.listen(PURCHASES_CHANNEL, (id) => {
      const set = this.waiters.get(id);
      if (!set) return;
      this.waiters.delete(id);
      for (const w of set) w();
    });
  }

  /** How many requests are waiting on `id` right now. */
  waiting(id: string): number {
    return this.waiters.get(id)?.size ?? 0;
  }

  /** Resolves on a change to `id` or after `ms`, whichever comes first. */
  wait(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = null;
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }
}

const hubs = new WeakMap<Database, PurchaseEvents>();

export function purchaseEventsFor(database: Database): PurchaseEvents | undefined {
  return hubs.get(database);
}

export async function startPurchaseEvents(database: Database): Promise<() => Promise<void>> {
  const hub = new PurchaseEvents();
  try {
    await hub.start(database);
  } catch {
    return async () => {}; // polling only
  }
  hubs.set(database, hub);
  return async () => {
    if (hubs.get(database) === hub) hubs.delete(database);
    await hub.stop();
  };
}
