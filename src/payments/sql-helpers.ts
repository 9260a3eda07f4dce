import { type SQL, sql } from 'drizzle-orm';

/** `a, b, c` as bound parameters, for `IN (…)`. */
export const inList = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

export const PURCHASES_CHANNEL = 'wavu_purchases';
