/** How the dashboard writes money, times, phones and durations (Kenyan conventions, Nairobi time). */
export const kes = (n: number) => `KES ${n.toLocaleString('en-KE')}`;

export const when = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString('en-KE', {
        timeZone: 'Africa/Nairobi',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '—';

/** "1 user", "2 users", "0 users": a count with its noun, plural unless exactly one. */
export const count = (n: number, noun: string, plural = `${noun}s`) => `${n} ${n === 1 ? noun : plural}`;

/** 254712345678 → 0712 345 678. */
export const phone = (p: string | null) => (p ? `0${p.slice(3, 6)} ${p.slice(6, 9)} ${p.slice(9)}` : '—');

export const duration = (s: number) =>
  s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`;
