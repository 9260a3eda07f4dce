/**
 * East Africa Time, the clock people in Kenya (and Daraja) use: UTC+3 all year, no daylight
 * saving, so a fixed offset is exact and no time-zone database is needed. Every "which day is
 * it in Kenya" question goes through here.
 */
export const EAT_OFFSET_MS = 3 * 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * A Date whose UTC fields (getUTCHours, toISOString…) read as the wall clock in Kenya at `at`.
 * For formatting only: it is not the same instant.
 */
export const eatWallClock = (at: Date): Date => new Date(at.getTime() + EAT_OFFSET_MS);

/** The Kenyan calendar day at `at`, as YYYY-MM-DD. */
export const eatDate = (at: Date): string => eatWallClock(at).toISOString().slice(0, 10);

/** The instant the Kenyan day holding `at` began (midnight EAT). */
export const startOfEatDay = (at: Date): Date =>
  new Date(Math.floor((at.getTime() + EAT_OFFSET_MS) / DAY_MS) * DAY_MS - EAT_OFFSET_MS);

/** Midnight EAT of a YYYY-MM-DD day, or null when it is not a real date (2026-02-30, 2026-13-01). */
export function eatDayStart(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) return null;
  return new Date(t - EAT_OFFSET_MS);
}

/** Kenyan wall-clock fields (month 1–12) → the instant. No range check; callers validate. */
export const fromEatWallClock = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date =>
  new Date(Date.UTC(y, mo - 1, d, h, mi, s) - EAT_OFFSET_MS);
