/** Durations, speeds and data sizes as people read them, in the page's language. */
import { eatWallClock } from '../lib/eat-time.ts';
import type { Dict } from './i18n/index.ts';

export function formatDuration(t: Dict, seconds: number): string {
  if (seconds % 86400 === 0) return t.days(seconds / 86400);
  if (seconds % 3600 === 0) return t.hours(seconds / 3600);
  if (seconds >= 3600) {
    const h = Math.floor(seconds / 3600);
    return t.shortLeft(h, Math.round((seconds % 3600) / 60));
  }
  return t.minutes(Math.max(1, Math.round(seconds / 60)));
}

/** Time left, rounded down to the minute (never promise more than there is). */
export function formatLeft(t: Dict, seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 2 * 86400) return t.days(Math.floor(s / 86400));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return t.shortLeft(h, m);
}

export function formatSpeed(kbps: number): string {
  if (kbps >= 1024) {
    const m = kbps / 1024;
    return `${Number.isInteger(m) ? m : m.toFixed(1)} Mbps`;
  }
  return `${kbps} kbps`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.floor(v) : v.toFixed(1)} ${units[i]}`;
}

export const formatKesShort = (n: number): string => `KES\u00a0${n.toLocaleString('en-KE')}`;

/** 14:35 EAT, 01/12/2026: a 24-hour clock named, so nobody reads it as Swahili time. */
export function formatEat(at: Date): string {
  const w = eatWallClock(at).toISOString();
  return `${w.slice(11, 16)} EAT, ${w.slice(8, 10)}/${w.slice(5, 7)}/${w.slice(0, 4)}`;
}
