/** Everything needed to print or export one batch, with the codes unsealed. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { asDate, type Conn, query } from '../db/open.ts';
import { type Actor, audit } from '../audit/index.ts';
import { AppError } from '../lib/errors.ts';
import { type Branding, loadBranding } from '../branding/index.ts';
import { getPlan, type VoucherPlan } from '../plans/index.ts';
import type { TicketTemplate } from './ticket-template.ts';
import { loadTicketTemplate } from './ticket-template-setting.ts';

export interface SheetVoucher {
  code: string;
  /** The voucher's own password (imported user/password vouchers); null: the code is its password. */
  password: string | null;
  status: string;
  soldAt: Date | null;
}

export interface BatchSheet {
  batchId: string;
  label: string | null;
  validUntil: Date | null;
  sellOnline: boolean;
  source: 'generated' | 'imported';
  createdAt: Date;
  plan: VoucherPlan;
  branding: Branding;
  publicUrl: string;
  /** The operator's ticket template in force when the sheet was taken. */
  template: TicketTemplate;
  vouchers: SheetVoucher[];
}

export async function loadBatchSheet(
  deps: Deps,
  batchId: string,
  conn: Conn = deps.db,
  /** One voucher of the batch only (a reprint). */
  codeId?: string,
): Promise<BatchSheet> {
  if (!/^[0-9a-f-]{36}$/i.test(batchId)) throw new AppError('not_found', 'There is no such voucher batch.');
  const [b] = await query<{
    id: string;
    plan_id: number;
    label: string | null;
    valid_until: string | null;
    sell_online: boolean;
    source: 'generated' | 'imported';
    created_at: string;
  }>(
    conn,
    sql`SELECT id, plan_id, label, valid_until, sell_online, source, created_at FROM voucher_batches WHERE id = ${batchId}`,
  );
  if (!b) throw new AppError('not_found', 'There is no such voucher batch.');
  const rows = await query<{
    code_sealed: string;
    password_sealed: string | null;
    status: string;
    sold_at: string | null;
  }>(
    conn,
    sql`SELECT code_sealed, password_sealed, status, sold_at FROM access_codes WHERE batch_id = ${batchId}
        ${codeId ? sql`AND id = ${codeId}` : sql``} ORDER BY issued_at, id`,
  );
  return {
    batchId: b.id,
    label: b.label,
    validUntil: b.valid_until ? asDate(b.valid_until) : null,
    sellOnline: b.sell_online === true || (b.sell_online as unknown) === 't',
    source: b.source,
    createdAt: asDate(b.created_at),
    plan: await getPlan(conn, Number(b.plan_id)),
    branding: await loadBranding(conn),
    publicUrl: deps.config.publicUrl,
    template: await loadTicketTemplate(conn),
    vouchers: rows.map((r) => ({
      code: deps.sealer.unseal(r.code_sealed),
      password: r.password_sealed ? deps.sealer.unseal(r.password_sealed) : null,
      status: r.status,
      soldAt: r.sold_at ? asDate(r.sold_at) : null,
    })),
  };
}

/**
 * Paper must never be made of online stock: the system hands those codes to M-Pesa buyers, so a
 * printed copy would be a second sale of the same code.
 */
export function assertPrintable(sheet: BatchSheet): void {
  // A voucher of online stock already sold (cash, M-Pesa) is its buyer's: a reprint sells nothing.
  if (sheet.sellOnline && !sheet.vouchers.every((v) => v.soldAt)) {
    throw new AppError(
      'conflict',
      'This batch is stock for online and cash sale; printing or exporting it would let one code be sold twice.',
    );
  }
}

/**
 * A paper batch to print or export, audited: the sheet reveals every code, so who took it out and
 * when is on record, from the admin screen or the CLI alike.
 */
export async function takeBatchSheet(
  deps: Deps,
  o: {
    batchId: string;
    action: 'voucher.print' | 'voucher.export';
    actor: Actor;
    ip?: string | null;
    /** Paper for the roll or A4, recorded with who printed. */
    layout?: string;
  },
): Promise<BatchSheet> {
  const sheet = await loadBatchSheet(deps, o.batchId);
  assertPrintable(sheet);
  await audit(deps.db, deps, {
    actor: o.actor,
    action: o.action,
    entity: 'voucher_batch',
    entityId: sheet.batchId,
    detail: { codes: sheet.vouchers.length, ...(o.layout ? { layout: o.layout } : {}) },
    ip: o.ip,
  });
  return sheet;
}

/** One voucher printed again (a torn or lost ticket), audited against the code. */
export async function takeVoucherReprint(
  deps: Deps,
  o: { codeId: string; actor: Actor; ip?: string | null; layout: string },
): Promise<BatchSheet> {
  const [c] = await query<{ batch_id: string | null }>(
    deps.db,
    sql`SELECT batch_id FROM access_codes WHERE id = ${o.codeId}`,
  );
  if (!c) throw new AppError('not_found', 'No such access code.');
  if (!c.batch_id)
    throw new AppError(
      'conflict',
      'This code was bought online, not made as a voucher; resend it by SMS instead.',
    );
  const sheet = await loadBatchSheet(deps, c.batch_id, deps.db, o.codeId);
  assertPrintable(sheet);
  await audit(deps.db, deps, {
    actor: o.actor,
    action: 'voucher.reprint',
    entity: 'access_code',
    entityId: o.codeId,
    detail: { batchId: c.batch_id, layout: o.layout },
    ip: o.ip,
  });
  return sheet;
}
