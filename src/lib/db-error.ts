/**
 * Database errors never carry the values bound to the query. Drizzle wraps every driver error in
 * an error whose message and `params` list them (full phone numbers, M-Pesa receipts, the text of
 * an SMS with a live access code), and PostgreSQL's own detail repeats row values ("Key
 * (phone)=(2547…) already exists"). Anything that logs or stores such an error (the HTTP error
 * handler, the job worker's `last_error`) would spread them, so every failed query is rethrown as
 * a DbError: the SQLSTATE, the names PostgreSQL reports (constraint, table, column), the SQL text
 * with its $n placeholders, and a message from which every bound value has been cut.
 *
 * Pure (no driver imports), so the logger can use it too; src/db/errors.ts installs it on Drizzle.
 */
export class DbError extends Error {
  override name = 'DbError';
  /** SQLSTATE, e.g. 23505 unique_violation, 40P01 deadlock_detected. */
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  /** PostgreSQL's detail, with values masked ("Key (phone)=([redacted]) already exists."). */
  readonly detail: string | undefined;
  /** The statement with placeholders; values were never part of it. */
  readonly query: string | undefined;
  constructor(
    message: string,
    f: Partial<Pick<DbError, 'code' | 'constraint' | 'table' | 'column' | 'detail' | 'query'>>,
  ) {
    super(message);
    this.code = f.code;
    this.constraint = f.constraint;
    this.table = f.table;
    this.column = f.column;
    this.detail = f.detail;
    this.query = f.query;
  }
}

const REDACTED = '[redacted]';

/** Every bound value as text, the parts of arrays and JSON objects included. */
function valueStrings(params: unknown, out: string[] = [], depth = 0): string[] {
  if (params === null || params === undefined || depth > 4) return out;
  if (Array.isArray(params)) {
    for (const p of params) valueStrings(p, out, depth + 1);
  } else if (params instanceof Date) {
    out.push(params.toISOString());
  } else if (Buffer.isBuffer(params)) {
    // Binary values are not printed by PostgreSQL in a way we could match.
  } else if (typeof params === 'object') {
    out.push(JSON.stringify(params));
    for (const v of Object.values(params)) valueStrings(v, out, depth + 1);
  } else {
    const s = String(params);
    out.push(s);
    // A JSON text parameter: PostgreSQL may quote any string inside it.
    if (s.length > 1 && (s[0] === '{' || s[0] === '[')) {
      try {
        valueStrings(JSON.parse(s), out, depth + 1);
      } catch {
        // not JSON
      }
    }
  }
  return out;
}

/**
 * `text` with every bound value (4+ characters: shorter ones identify nobody and would mangle
 * words) and the row values PostgreSQL quotes in its details replaced by [redacted]. The names in
 * `keep` (the constraint, table and column PostgreSQL reported) are left whole even when a value
 * such as 'code' happens to be part of them.
 */
export function redactValues(text: string, params: unknown, keep: (string | undefined)[] = []): string {
  const names = [...new Set(keep.filter((k): k is string => !!k))].sort((a, b) => b.length - a.length);
  let out = text
    .replace(/\)=\((.*?)\)( already exists| is not present| conflicts|$)/g, `)=(${REDACTED})$2`)
    .replace(/Failing row contains \(.*\)/gs, `Failing row contains (${REDACTED})`);
  names.forEach((n, i) => {
    out = out.split(n).join(`\u0000${i}\u0000`);
  });
  const values = [...new Set(valueStrings(params))].filter((v) => v.length >= 4);
  // Longest first, so a value that contains another is cut whole.
  for (const v of values.sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i) => names[Number(i)]!);
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The DbError for a failed query. Accepts Drizzle's wrapper (which holds the driver error as its
 * cause) or a driver error itself; `params` are the values to cut from the message.
 */
export function scrubDbError(e: unknown, query?: string, params?: unknown): DbError {
  if (e instanceof DbError) return e;
  const wrapped = (e && typeof e === 'object' ? e : {}) as {
    cause?: unknown;
    query?: unknown;
    params?: unknown;
  };
  const isWrapper = 'params' in wrapped && 'query' in wrapped;
  const driver = (isWrapper && wrapped.cause && typeof wrapped.cause === 'object' ? wrapped.cause : e) as
    | Record<string, unknown>
    | undefined;
  if (driver instanceof DbError) return driver;
  const values = [params, isWrapper ? wrapped.params : undefined, driver?.params];
  const sqlText = query ?? str(wrapped.query) ?? str(driver?.query);
  let message = str(driver?.message) ?? String(e);
  // Drizzle's own message is "Failed query: …\nparams: …": keep only what precedes the values.
  if (driver === e && /\nparams: /.test(message)) message = message.slice(0, message.indexOf('\nparams: '));
  const detail = str(driver?.detail);
  const names = [str(driver?.constraint), str(driver?.table), str(driver?.column)];
  return new DbError(redactValues(message, values, names), {
    code: str(driver?.code),
    constraint: str(driver?.constraint),
    table: str(driver?.table),
    column: str(driver?.column),
    detail: detail === undefined ? undefined : redactValues(detail, values, names),
    query: sqlText,
  });
}

/** Whether an error still holds query values: a Drizzle wrapper, or a driver error. */
function carriesQueryValues(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || e instanceof DbError || depth > 4) return false;
  const o = e as { params?: unknown; detail?: unknown; message?: unknown; cause?: unknown };
  return (
    'params' in o ||
    (typeof o.message === 'string' && o.message.includes('\nparams: ')) ||
    (typeof o.detail === 'string' && 'severity' in o) ||
    carriesQueryValues(o.cause, depth + 1)
  );
}

/** `e` as a DbError when it holds query values, otherwise unchanged. */
export function withoutQueryValues(e: unknown): unknown {
  if (!carriesQueryValues(e)) return e;
  const o = e as { cause?: unknown };
  // An error of ours wrapping a database error: keep it, with the database error scrubbed.
  if (e instanceof Error && !('params' in e) && !('severity' in e) && o.cause) {
    o.cause = withoutQueryValues(o.cause);
    return e;
  }
  return scrubDbError(e);
}
