/** Every failed Drizzle query is rethrown as a DbError (why: see src/lib/db-error.ts). */
import { PgPreparedQuery } from 'drizzle-orm/pg-core';
import { scrubDbError } from '../lib/db-error.ts';

let installed = false;

/**
 * Make every Drizzle query, on either driver and inside transactions, fail with a DbError. All
 * prepared queries run through PgPreparedQuery.queryWithCache, which is where Drizzle wraps the
 * driver's error together with the parameters; wrapping it here cuts them out before any caller
 * sees the error. Checked at start-up so a Drizzle upgrade that moves it cannot silently undo this.
 */
export function scrubQueryErrors(): void {
  if (installed) return;
  const proto = PgPreparedQuery.prototype as unknown as {
    queryWithCache?: (
      this: unknown,
      text: string,
      params: unknown[],
      run: () => Promise<unknown>,
    ) => Promise<unknown>;
  };
  const original = proto.queryWithCache;
  if (typeof original !== 'function')
    throw new Error('drizzle-orm changed: PgPreparedQuery.queryWithCache is gone (see src/db/errors.ts)');
  proto.queryWithCache = async function (text, params, run) {
    try {
      return await original.call(this, text, params, run);
    } catch (e) {
      throw scrubDbError(e, text, params);
    }
  };
  installed = true;
}
