import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { DAY_MS } from '../lib/eat-time.ts';
import { decodeCursor, type Page, toPage } from '../http/paging.ts';
import type { ListSubscribersQuery } from './input.ts';
import {
  routerNames,
  SUBSCRIBER_SELECT,
  type SubscriberRow,
  type SubscriberView,
  toSubscriberView,
} from './repo.ts';

/**
 * Subscribers, newest first, a keyset page at a time. "Due this week" is a due date in the next
 * seven days; "overdue" is a due date already passed. Both only count accounts that still pay
 * (active or expired): a suspended or closed account is not chased.
 */
export async function listSubscribers(deps: Deps, q: ListSubscribersQuery): Promise<Page<SubscriberView>> {
  const now = deps.clock.now();
  const where: SQL[] = [sql`true`];
  if (q.state) where.push(sql`s.state = ${q.state}`);
  if (q.router) where.push(sql`s.router_id = ${q.router}`);
  if (q.due === 'week')
    where.push(
      sql`s.state IN ('active', 'expired') AND s.due_at >= ${now} AND s.due_at < ${new Date(now.getTime() + 7 * DAY_MS)}`,
    );
  if (q.due === 'overdue') where.push(sql`s.state IN ('active', 'expired') AND s.due_at < ${now}`);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(s.account_no ILIKE ${like} OR s.username ILIKE ${like} OR s.name ILIKE ${like} OR s.phone LIKE ${like})`,
    );
  }
  const c = decodeCursor(q.cursor);
  if (c) where.push(sql`(s.created_at, s.id) < (${c.t}::timestamptz, ${Number(c.id)})`);
  const rows = await query<SubscriberRow>(
    deps.db,
    sql`${SUBSCRIBER_SELECT} WHERE ${sql.join(where, sql` AND `)}
        ORDER BY s.created_at DESC, s.id DESC LIMIT ${q.limit + 1}`,
  );
  const names = await routerNames(deps);
  return toPage(
    rows,
    q.limit,
    (r) => ({ t: String(r.created_at), id: String(r.id) }),
    (r) => toSubscriberView(r, now, names),
  );
}
