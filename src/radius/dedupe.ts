/**
 * Retransmissions (same NAS, source port, code, identifier and authenticator) get the very same
 * response bytes, and a retransmission that arrives while the first copy is still being handled
 * waits for it instead of running the handler twice (RFC 5080 §2.2.2). This cache is per process;
 * the database updates are idempotent on their own, so a retransmission reaching another node is
 * still counted once.
 */
import { type Clock, systemClock } from '../lib/clock.ts';

export class DuplicateCache {
  private readonly entries = new Map<string, { at: number; response: Promise<Buffer | null> }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly max = 100_000,
    private readonly clock: Clock = systemClock,
  ) {}

  get(key: string): Promise<Buffer | null> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const age = this.clock.now().getTime() - e.at;
    if (age > this.ttlMs || age < 0) {
      this.entries.delete(key);
      return undefined;
    }
    return e.response;
  }

  set(key: string, response: Promise<Buffer | null>): void {
    this.entries.set(key, { at: this.clock.now().getTime(), response });
    // Map keeps insertion order: the first keys are the oldest.
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
