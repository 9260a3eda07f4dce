/** One database read per scrape for the gauges whose truth is shared by every node. */
import type { Db } from '../db/open.ts';
import { routerHealthStats } from '../gateways/index.ts';
import { queueStats } from '../jobs/stats.ts';
import type { Clock } from '../lib/clock.ts';
import type { DbSnapshot } from './registry.ts';

export async function readDbSnapshot(db: Db, clock: Clock): Promise<DbSnapshot> {
  const now = clock.now();
  const [jobs, routers] = await Promise.all([queueStats(db, now), routerHealthStats(db)]);
  return {
    jobs,
    routers: routers.map((r) => ({
      name: r.name,
      mode: r.mode,
      up: r.up,
      lastContactSeconds: r.lastContact ? r.lastContact.getTime() / 1000 : null,
    })),
  };
}
