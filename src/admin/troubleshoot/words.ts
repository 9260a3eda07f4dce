/** Shared wording of the troubleshooter's checks. */
import { asDate } from '../../db/open.ts';
import { eatWallClock } from '../../lib/eat-time.ts';

/** East Africa Time, as staff read it: "14:05 on 2026-03-02". */
export function when(v: unknown): string {
  const t = eatWallClock(asDate(v)).toISOString();
  return `${t.slice(11, 16)} on ${t.slice(0, 10)}`;
}
