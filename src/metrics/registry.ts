/**
 * The process's Prometheus instruments, one registry per app (not prom-client's global one), so
 * two apps in one process (tests, `wavu start`) never share or double-register a metric.
 *
 * Two kinds live here:
 * - events counted where they happen, in this process (payments, RADIUS, SMS, agent polls and
 *   the two latency histograms). Prometheus sums them across nodes (`sum by (…)`).
 * - state that lives in the database (job queue, routers), read at scrape time by `collectDb`
 *   (db-gauges.ts), so every node reports the same, right numbers.
 *
 * Use cases call the small methods below and never see prom-client; label values are closed
 * sets or router names, never phones, codes or receipts.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type PaymentChannel = 'stk' | 'c2b' | 'cash';
export type RadiusRequestType = 'access' | 'accounting';

/** Seconds; a customer waits on these, so the buckets are fine below 5 s. */
const WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const RADIUS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface DbSnapshot {
  jobs: { kind: string; queued: number; oldestQueuedSeconds: number; dead: number }[];
  routers: { name: string; mode: string; up: boolean; lastContactSeconds: number | null }[];
}

export class Metrics {
  readonly registry = new Registry();
  private readonly payments: Counter<'channel' | 'result'>;
  private readonly callbackToPaid: Histogram;
  private readonly paidToOnline: Histogram<'mode'>;
  private readonly radiusRequests: Counter<'type' | 'outcome'>;
  private readonly radiusDuration: Histogram<'type'>;
  private readonly smsSent: Counter;
  private readonly smsFailed: Counter;
  private readonly agentPolls: Counter<'router' | 'outcome'>;

  constructor(o: { processMetrics?: boolean; readDb?: () => Promise<DbSnapshot> } = {}) {
    const registers = [this.registry];
    this.payments = new Counter({
      name: 'wavu_payments_total',
      help: 'Purchases that reached a final state, by channel and Daraja result code (0 = paid)',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.callbackToPaid = new Histogram({
      name: 'wavu_payment_callback_to_paid_seconds',
      help: 'From an STK callback arriving to its purchase being paid (code issued)',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.paidToOnline = new Histogram({
      name: 'wavu_payment_paid_to_online_seconds',
      help: 'From a purchase being paid to its code being on the router (first grant)',
      labelNames: ['mode'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.radiusRequests = new Counter({
      name: 'wavu_radius_requests_total',
      help: 'RADIUS requests handled, by type and outcome (accept, reject, response, drop, error)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.radiusDuration = new Histogram({
      name: 'wavu_radius_request_duration_seconds',
      help: 'Time to answer a RADIUS request (handler only, after the secret check)',
      labelNames: ['type'],
      buckets: RADIUS_BUCKETS,
      registers,
    });
    this.smsSent = new Counter({
      name: 'wavu_sms_sent_total',
      help: 'SMS accepted by the provider',
      registers,
    });
    this.smsFailed = new Counter({
      name: 'wavu_sms_failed_total',
      help: 'SMS given up on (not retryable, or the last attempt)',
      registers,
    });
    this.agentPolls = new Counter({
      name: 'wavu_agent_polls_total',
      help: 'Polls by agent routers, by router and outcome (ok, refused)',
      labelNames: ['router', 'outcome'],
      registers,
    });
    if (o.readDb) this.dbGauges(o.readDb);
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  payment(channel: PaymentChannel, result: string): void {
    this.payments.inc({ channel, result });
  }
  callbackPaid(seconds: number): void {
    this.callbackToPaid.observe(Math.max(0, seconds));
  }
  online(mode: string, seconds: number): void {
    this.paidToOnline.observe({ mode }, Math.max(0, seconds));
  }
  radius(type: RadiusRequestType, outcome: string, seconds: number): void {
    this.radiusRequests.inc({ type, outcome });
    this.radiusDuration.observe({ type }, seconds);
  }
  sms(result: 'sent' | 'failed'): void {
    (result === 'sent' ? this.smsSent : this.smsFailed).inc();
  }
  agentPoll(router: string, outcome: 'ok' | 'refused'): void {
    this.agentPolls.inc({ router, outcome });
  }

  /** The exposition text (Prometheus 0.0.4 format). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * Gauges filled from one database read per scrape. Each gauge is reset first, so a job kind
   * or router that is gone stops being reported instead of keeping its last value.
   */
  private dbGauges(readDb: () => Promise<DbSnapshot>): void {
    const registers = [this.registry];
    let pending: Promise<DbSnapshot> | null = null;
    // All five gauges collect in one scrape; they share one read.
    const snapshot = () => {
      pending ??= readDb().finally(() => {
        queueMicrotask(() => {
          pending = null;
        });
      });
      return pending;
    };
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      fill: (g: Gauge<L>, s: DbSnapshot) => void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const s = await snapshot();
          this.reset();
          fill(this, s);
        },
      });
    gauge('wavu_jobs_queued', 'Jobs due to run and waiting for a worker', ['kind'], (g, s) => {
      for (const j of s.jobs) g.set({ kind: j.kind }, j.queued);
    });
    gauge(
      'wavu_jobs_oldest_queued_age_seconds',
      'How long the oldest due job of each kind has waited',
      ['kind'],
      (g, s) => {
        for (const j of s.jobs) g.set({ kind: j.kind }, j.oldestQueuedSeconds);
      },
    );
    gauge('wavu_jobs_dead', 'Jobs that failed every attempt and were given up on', ['kind'], (g, s) => {
      for (const j of s.jobs) g.set({ kind: j.kind }, j.dead);
    });
    gauge('wavu_router_up', 'Router answered its last check (1) or not (0)', ['router', 'mode'], (g, s) => {
      for (const r of s.routers) g.set({ router: r.name, mode: r.mode }, r.up ? 1 : 0);
    });
    gauge(
      'wavu_router_last_contact_timestamp_seconds',
      'When the router was last heard from (Unix seconds)',
      ['router'],
      (g, s) => {
        for (const r of s.routers)
          if (r.lastContactSeconds !== null) g.set({ router: r.name }, r.lastContactSeconds);
      },
    );
  }
}
