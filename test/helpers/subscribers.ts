/**
 * Subscribers for tests, written straight into the table (the PPP access tests need rows, not
 * the staff use cases that make them).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';

export interface SubscriberSpec {
  username?: string;
  password?: string;
  state?: 'active' | 'suspended' | 'expired' | 'disconnected';
  dueAt: Date;
  /** A seeded service plan by name (default 'Home 5 Mbps'). */
  plan?: string;
  staticIp?: string | null;
  routerId?: number | null;
  throttled?: boolean;
  periodBytes?: number;
}

export async function addSubscriber(
  deps: Deps,
  s: SubscriberSpec,
): Promise<{ id: number; username: string; password: string; accountNo: string }> {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const username = s.username ?? `ppp-${tag.toLowerCase()}`;
  const password = s.password ?? `pw-${tag.toLowerCase()}`;
  const accountNo = `W${tag}`;
  const [row] = await query<{ id: number }>(
    deps.db,
    sql`INSERT INTO subscribers (account_no, username, password_sealed, service_plan_id, router_id, static_ip,
                                 state, due_at, throttled, period_bytes)
        VALUES (${accountNo}, ${username}, ${deps.sealer.seal(password)},
                (SELECT id FROM service_plans WHERE name = ${s.plan ?? 'Home 5 Mbps'}),
                ${s.routerId ?? null}, ${s.staticIp ?? null}, ${s.state ?? 'active'}, ${s.dueAt},
                ${s.throttled ?? false}, ${s.periodBytes ?? 0})
        RETURNING id`,
  );
  return { id: Number(row!.id), username, password, accountNo };
}

export async function subscriberRow(deps: Deps, id: number) {
  const [r] = await query<{ state: string; period_bytes: string | number; throttled: boolean }>(
    deps.db,
    sql`SELECT state, period_bytes, throttled FROM subscribers WHERE id = ${id}`,
  );
  return { state: r!.state, periodBytes: Number(r!.period_bytes), throttled: r!.throttled };
}
