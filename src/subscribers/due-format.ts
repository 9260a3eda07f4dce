/** A due date as a subscriber reads it: the day in East Africa Time, month named ("5 Mar 2026"). */
import { eatWallClock } from '../lib/eat-time.ts';

const MONTHS = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  sw: ['Jan', 'Feb', 'Mac', 'Apr', 'Mei', 'Jun', 'Jul', 'Ago', 'Sep', 'Okt', 'Nov', 'Des'],
} as const;

export function formatDueDate(at: Date, lang: 'en' | 'sw'): string {
  const w = eatWallClock(at);
  return `${w.getUTCDate()} ${MONTHS[lang][w.getUTCMonth()]} ${w.getUTCFullYear()}`;
}
