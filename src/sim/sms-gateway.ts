/**
 * The simulated SMS gateway (SMS_PROVIDER=sim, demo only). "Delivering" a message stores it in
 * `sim_sms_inbox`, so the inbox page shows it whichever node sent it. Tests can make the next
 * sends fail, retryably or for good, to exercise the retry path.
 */
import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { simSmsInbox } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { type SmsProvider, SmsError } from '../notify/index.ts';

export type SimFault = 'retryable' | 'permanent';

export interface SimSmsMessage {
  id: number;
  providerId: string;
  to: string;
  sender: string | null;
  body: string;
  receivedAt: string;
}

export class SimSmsGateway implements SmsProvider {
  readonly name = 'sim';
  /** Failures to hand out, in order, before sends succeed again (this process only). */
  private readonly faults: SimFault[] = [];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sender: string | undefined,
  ) {}

  injectFaults(kind: SimFault, count: number): void {
    for (let i = 0; i < count; i++) this.faults.push(kind);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  pendingFaults(): number {
    return this.faults.length;
  }

  async send(to: string, body: string): Promise<{ providerId: string }> {
    const fault = this.faults.shift();
    if (fault === 'retryable')
      throw new SmsError('Simulated gateway error (500)', { retryable: true, providerCode: 500 });
    if (fault === 'permanent')
      throw new SmsError('Simulated InvalidPhoneNumber (403)', { retryable: false, providerCode: 403 });
    const providerId = `SIM-${randomUUID()}`;
    await this.db
      .insert(simSmsInbox)
      .values({ providerId, toPhone: to, sender: this.sender ?? null, body, receivedAt: this.clock.now() });
    return { providerId };
  }

  async messages(o: { to?: string; limit?: number } = {}): Promise<SimSmsMessage[]> {
    const q = this.db.select().from(simSmsInbox);
    const rows = await (o.to ? q.where(eq(simSmsInbox.toPhone, o.to)) : q)
      .orderBy(desc(simSmsInbox.id))
      .limit(o.limit ?? 100);
    return rows.map((r) => ({
      id: Number(r.id),
      providerId: r.providerId,
      to: r.toPhone,
      sender: r.sender,
      body: r.body,
      receivedAt: r.receivedAt.toISOString(),
    }));
  }
}
