/**
 * Keyset paging: a page is "the next N rows after (time, id)" in a fixed order, so page 20,000 costs
 * what page 1 costs (an index range scan), unlike OFFSET. The cursor keeps the database's own
 * timestamp text: JavaScript Dates have milliseconds, PostgreSQL has microseconds, and rounding
 * would skip or repeat rows that share a millisecond.
 */
import { z } from 'zod';
import { eatDayStart } from '../lib/eat-time.ts';
import { AppError } from '../lib/errors.ts';
import { normalizePhone } from '../lib/phone.ts';

export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.id])).toString('base64url');
}

const cursorShape = z.tuple([z.string().max(40), z.string().max(64)]);

export function decodeCursor(s: string | undefined): Cursor | null {
  if (!s) return null;
  try {
    const [t, id] = cursorShape.parse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
    if (Number.isNaN(Date.parse(t.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))))
      throw new Error('bad time');
    return { t, id };
  } catch {
    throw new AppError('validation', 'cursor: This page link is not valid. Start from the first page.');
  }
}

export const pageQuery = {
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Rows were fetched with limit + 1; the extra one only says whether there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, key: (r: R) => Cursor, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(key(last)) : null };
}

export const uuidSchema = z.string().uuid('Not a valid id');
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const uuidParam = z.object({ id: uuidSchema });

const DATE_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$/;
/** A date or date-time in a filter; a bare date means that day in East Africa Time. */
export const whenSchema = z
  .string()
  .regex(DATE_TIME, 'Use a date like 2026-01-31 or 2026-01-31T14:00:00Z')
  .transform((s) => (s.length === 10 ? eatDayStart(s) : new Date(s)))
  .refine((d): d is Date => d !== null && !Number.isNaN(d.getTime()), 'Not a valid date');

/** A Kenyan mobile number as typed (0712 345 678, +254…), normalised; empty means none (null). */
export const phoneInput = z
  .string()
  .trim()
  .max(20)
  .transform((s, c) => {
    if (s === '') return null;
    const p = normalizePhone(s);
    if (!p) c.addIssue({ code: 'custom', message: 'Enter a Kenyan mobile number like 0712 345 678' });
    return p;
  });
