/**
 * callback_inbox: every Daraja callback, stored as received before anything is done with it. A
 * row gets its outcome (and processed_at) once, when it reaches a final answer; a body that is not
 * a callback at all ends `malformed` at once, so nothing waits on it.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import type { CallbackBody } from './callback-body.ts';

export type InboxKind = 'stk' | 'c2b_validate' | 'c2b_confirm';

export interface NewCallback {
  kind: InboxKind;
  body: CallbackBody;
  remoteAddr: string | null;
  checkoutRequestId?: string | null;
  receipt?: string | null;
  /** Set when the row is final as stored (bad secret, malformed, a validation answer). */
  outcome: string | null;
}

export async function storeCallback(conn: Conn, deps: Deps, c: NewCallback): Promise<number> {
  const rows = await query<{ id: number }>(conn, sql`${insertCallback(c, deps.clock.now())} RETURNING id`);
  return Number(rows[0]!.id);
}

/** The INSERT of one callback row, for a caller that stores it inside a wider statement. */
export function insertCallback(c: NewCallback, now: Date): SQL {
  // jsonb when it can hold the body, else the text as received: exactly one is set.
  const asJson = c.body.json === undefined ? null : JSON.stringify(c.body.json);
  return sql`INSERT INTO callback_inbox (kind, received_at, remote_addr, body, body_text, checkout_request_id, receipt,
                                         outcome, processed_at)
             VALUES (${c.kind}, ${now}, ${c.remoteAddr}, ${asJson}::jsonb, ${asJson === null ? c.body.text : null},
                     ${c.checkoutRequestId ?? null}, ${c.receipt ?? null}, ${c.outcome}, ${c.outcome ? now : null})`;
}

export interface StoredCallback {
  /** The parsed JSON body; `undefined` for a body kept as text (never a callback). */
  json: unknown;
  outcome: string | null;
  processed: boolean;
  receivedAt: unknown;
}

export async function loadCallback(conn: Conn, inboxId: number): Promise<StoredCallback | null> {
  // body::text, parsed here: a driver hands jsonb back already parsed, and a JSON string body
  // ("hello") would then be indistinguishable from text that still needs parsing.
  const [row] = await query<{
    body: string | null;
    outcome: string | null;
    processed_at: unknown;
    received_at: unknown;
  }>(
    conn,
    sql`SELECT body::text AS body, outcome, processed_at, received_at FROM callback_inbox WHERE id = ${inboxId}`,
  );
  if (!row) return null;
  return {
    json: row.body === null ? undefined : JSON.parse(row.body),
    outcome: row.outcome,
    processed: row.processed_at !== null,
    receivedAt: row.received_at,
  };
}

export async function finishCallback(
  conn: Conn,
  deps: Deps,
  inboxId: number,
  outcome: string,
  purchaseId: string | null,
): Promise<void> {
  await conn.execute(finishCallbackSql(inboxId, outcome, purchaseId, deps.clock.now()));
}

/** finishCallback's UPDATE, for a caller that runs it inside a wider statement (markPaid's `also`). */
export function finishCallbackSql(
  inboxId: number,
  outcome: string,
  purchaseId: string | null,
  now: Date,
): SQL {
  return sql`UPDATE callback_inbox SET outcome = ${outcome}, processed_at = ${now}::timestamptz,
                 purchase_id = COALESCE(${purchaseId}::uuid, purchase_id)
              WHERE id = ${inboxId}::bigint
              RETURNING id`;
}

/**
 * Rows still waiting (a crash between storing and processing, or an id our own push had not
 * recorded yet), oldest first, a page after the row `afterId`. Paging by id lets one sweep walk
 * past rows that are still waiting instead of looking at the same first page every time.
 */
export async function waitingCallbacks(
  conn: Conn,
  afterId: number,
  limit: number,
): Promise<{ id: number; kind: InboxKind }[]> {
  const rows = await query<{ id: number; kind: InboxKind }>(
    conn,
    sql`SELECT id, kind FROM callback_inbox WHERE processed_at IS NULL AND id > ${afterId}
        ORDER BY id LIMIT ${limit}`,
  );
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind }));
}
