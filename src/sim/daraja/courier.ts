/**
 * Sends the simulator's callbacks: POSTs to the URLs the client gave, through the fault injector
 * (delay, drop, duplicate; random delays also reorder them across transactions). Like Daraja,
 * failed deliveries are not retried. It also owns the timers, so closing stops everything.
 */
import type { Delivery, SimContext } from './types.ts';

export class Courier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private pendingDeliveries = 0;
  readonly deliveries: Delivery[] = [];
  private closedFlag = false;

  constructor(private readonly ctx: SimContext) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  private delay(): number {
    const [lo, hi] = this.ctx.faults.callbackDelayMs;
    return Math.round(lo + this.ctx.random() * Math.max(0, hi - lo));
  }

  deliver(url: string, kind: Delivery['kind'], id: string, body: unknown): void {
    const { stats } = this.ctx;
    if (this.ctx.random() < this.ctx.faults.dropRate) {
      stats.dropped++;
      this.deliveries.push({ at: this.ctx.now(), url, kind, id, status: 'dropped' });
      return;
    }
    const copies = this.ctx.random() < this.ctx.faults.duplicateRate ? 2 : 1;
    if (copies === 2) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      this.pendingDeliveries++;
      this.later(this.delay(), () =>
        this.track(
          this.post(url, kind, id, body).finally(() => {
            this.pendingDeliveries--;
          }),
        ),
      );
    }
  }

  private async post(url: string, kind: Delivery['kind'], id: string, body: unknown): Promise<void> {
    this.ctx.stats.callbacks++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => {});
      this.deliveries.push({ at: this.ctx.now(), url, kind, id, status: 'sent', httpStatus: res.status });
    } catch {
      this.ctx.stats.failed++;
      this.deliveries.push({ at: this.ctx.now(), url, kind, id, status: 'failed' });
    }
    if (this.deliveries.length > 5_000) this.deliveries.splice(0, 1_000);
  }

  later(ms: number, fn: () => void): void {
    if (this.closedFlag) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  track(p: Promise<unknown>): void {
    this.inflight.add(p);
    p.finally(() => this.inflight.delete(p)).catch(() => {});
  }

  /** Nothing scheduled and nothing in flight. */
  get quiet(): boolean {
    return this.timers.size === 0 && this.inflight.size === 0;
  }

  /** No callback waiting to be sent and none in flight (timers of other kinds may remain). */
  get sent(): boolean {
    return this.pendingDeliveries === 0 && this.inflight.size === 0;
  }

  close(): void {
    this.closedFlag = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
