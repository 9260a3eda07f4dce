/**
 * Voucher routes behind the admin login: thin wrappers over src/vouchers. Each use case writes its
 * own audit row in its own transaction; printing and exporting are audited too because they
 * reveal codes. A cash sale is the one in src/payments, whichever screen it comes from.
 */
import { z } from 'zod';
import { recordCashSale } from '../../payments/index.ts';
import { type BatchSheet, takeBatchSheet, takeVoucherReprint } from '../../vouchers/index.ts';
import { type RollWidth, renderThermalEscPos, renderThermalHtml } from '../../vouchers/index.ts';
import { createVoucherBatch, MAX_BATCH } from '../../vouchers/index.ts';
import { renderSheetCsv } from '../../vouchers/index.ts';
import { importVouchers } from '../../vouchers/index.ts';
import { renderSheetHtml } from '../../vouchers/index.ts';
import { renderSheetPdf } from '../../vouchers/index.ts';
import { deleteBatch, disableBatch, moveBatch } from '../../vouchers/index.ts';
import {
  DEFAULT_TEMPLATE,
  loadTicketTemplate,
  MAX_TEMPLATE_CHARS,
  PLACEHOLDERS,
} from '../../vouchers/index.ts';
import { previewTemplate, saveTicketTemplate } from '../../vouchers/index.ts';
import { voucherStock } from '../../access/index.ts';
import { phoneInput, uuidParam, uuidSchema } from '../../http/paging.ts';
import { MAX_CODE_LENGTH, MAX_PREFIX, MIN_CODE_LENGTH } from '../../lib/code-format.ts';
import { listBatches, listBatchesQuery } from '../vouchers/list-batches.ts';
import { type Ctx, route } from './route.ts';

const validUntil = (ctx: Ctx, days: number | undefined) =>
  days ? new Date(ctx.deps.clock.now().getTime() + days * 86_400_000) : null;

const layoutQuery = z.object({ layout: z.enum(['a4', '58mm', '80mm']).default('a4') });
const widthQuery = z.object({ width: z.enum(['58', '80']).default('58') });
type Layout = z.output<typeof layoutQuery>['layout'];

/** The print view in the layout asked for: A4 sheets, or a 58/80 mm receipt roll. */
const printHtml = (sheet: BatchSheet, layout: Layout) =>
  layout === 'a4' ? renderSheetHtml(sheet) : renderThermalHtml(sheet, layout === '58mm' ? 58 : 80);

/**
 * Vouchers as a file (HTML, PDF, CSV, ESC/POS): audited where the sheet is taken, since it
 * reveals codes, and never cached.
 */
const sheetRoute = <Q extends z.ZodType>(o: {
  path: string;
  summary: string;
  produces: 'text/html' | 'application/pdf' | 'text/csv' | 'application/octet-stream';
  query?: Q;
  /** `inline` or `attachment`, with the file's extension; none for the print page. */
  disposition?: [kind: 'inline' | 'attachment', ext: string];
  take: (ctx: Ctx<{ id: string }, z.output<Q>>) => Promise<BatchSheet>;
  render: (sheet: BatchSheet, query: z.output<Q>) => string | Buffer | Promise<Buffer>;
}) =>
  route({
    method: 'GET',
    path: o.path,
    tag: 'vouchers',
    summary: o.summary,
    params: uuidParam,
    ...(o.query ? { query: o.query } : {}),
    produces: o.produces,
    handler: async (ctx) => {
      const { reply } = ctx;
      const sheet = await o.take(ctx as Ctx<{ id: string }, z.output<Q>>);
      reply
        .header('cache-control', 'no-store')
        .type(`${o.produces}${/pdf|octet/.test(o.produces) ? '' : '; charset=utf-8'}`);
      if (o.disposition) {
        const [kind, ext] = o.disposition;
        reply.header(
          'content-disposition',
          `${kind}; filename="vouchers-${sheet.batchId.slice(0, 8)}.${ext}"`,
        );
      }
      return reply.send(await o.render(sheet, ctx.query as z.output<Q>));
    },
  });

/** A whole paper batch. */
const batchSheet =
  (action: 'voucher.print' | 'voucher.export', layout?: (q: any) => string) =>
  ({ deps, params, actor, ip, query }: Ctx<{ id: string }, any>) =>
    takeBatchSheet(deps, { batchId: params.id, action, actor, ip, layout: layout?.(query) });

/** One voucher again. */
const reprint =
  (layout: (q: any) => string) =>
  ({ deps, params, actor, ip, query }: Ctx<{ id: string }, any>) =>
    takeVoucherReprint(deps, { codeId: params.id, actor, ip, layout: layout(query) });

/** Template text: the length check here, the placeholder checks in parseTemplate (both 400s). */
const templateText = z.string().max(MAX_TEMPLATE_CHARS * 2);

export const voucherRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/vouchers/batches',
    tag: 'vouchers',
    summary: 'Voucher batches with how many codes are unused, in use, expired or revoked',
    query: listBatchesQuery,
    handler: ({ deps, query }) => listBatches(deps, query),
  }),
  route({
    method: 'GET',
    path: '/api/admin/settings/voucher-template',
    tag: 'vouchers',
    summary: 'The voucher print template in force, the default, and the placeholders with their meaning',
    handler: async ({ deps }) => {
      const t = await loadTicketTemplate(deps.db);
      return {
        template: t.text,
        custom: t.custom,
        defaultTemplate: DEFAULT_TEMPLATE,
        placeholders: Object.entries(PLACEHOLDERS).map(([name, meaning]) => ({ name, meaning })),
      };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/voucher-template',
    tag: 'vouchers',
    summary:
      'Save the voucher print template (400 naming an unknown placeholder); null resets to the default',
    body: z.object({ template: templateText.nullable() }).strict(),
    handler: ({ deps, body, actor, ip }) => saveTicketTemplate(deps, { template: body.template, actor, ip }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/voucher-template/preview',
    tag: 'vouchers',
    summary:
      'An unsaved template on a sample voucher (HTML, layout a4, 58mm or 80mm; password: a user/password voucher)',
    body: z
      .object({
        template: templateText,
        layout: z.enum(['a4', '58mm', '80mm']).default('58mm'),
        password: z.boolean().default(false),
      })
      .strict(),
    produces: 'text/html',
    handler: async ({ deps, body, reply }) =>
      reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(await previewTemplate(deps, body)),
  }),
  route({
    method: 'POST',
    path: '/api/admin/vouchers/batches',
    tag: 'vouchers',
    summary: 'Make a batch of vouchers: paper (print/export) or stock for online and cash sale (sellOnline)',
    body: z.object({
      planId: z.number().int().positive(),
      count: z.number().int().min(1).max(MAX_BATCH),
      label: z.string().trim().max(80).optional(),
      validDays: z.number().int().min(1).max(3650).optional(),
      sellOnline: z.boolean().optional(),
      prefix: z
        .string()
        .trim()
        .max(MAX_PREFIX)
        .regex(/^[A-Za-z0-9]*$/, 'letters and digits only')
        .optional(),
      length: z.number().int().min(MIN_CODE_LENGTH).max(MAX_CODE_LENGTH).optional(),
      charset: z.enum(['mixed', 'letters', 'digits']).optional(),
    }),
    handler: async (ctx) => {
      const { deps, body, actor, ip, reply } = ctx;
      const custom = body.prefix || body.length || body.charset;
      const r = await createVoucherBatch(deps, {
        format: custom
          ? { prefix: body.prefix, length: body.length ?? 10, charset: body.charset ?? 'mixed' }
          : undefined,
        planId: body.planId,
        count: body.count,
        label: body.label ?? null,
        validUntil: validUntil(ctx, body.validDays),
        sellOnline: body.sellOnline,
        actor,
        ip,
      });
      reply.code(201);
      return { batchId: r.batchId, count: r.count, entropyBits: r.entropyBits, warning: r.warning };
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/vouchers/import',
    tag: 'vouchers',
    summary: 'Import codes (MikroTik /ip hotspot user lines, CSV, or one per line); dryRun checks only',
    body: z.object({
      planId: z.number().int().positive(),
      text: z.string().min(1).max(2_000_000),
      label: z.string().trim().max(80).optional(),
      validDays: z.number().int().min(1).max(3650).optional(),
      sellOnline: z.boolean().optional(),
      strict: z.boolean().optional(),
      dryRun: z.boolean().optional(),
    }),
    handler: async (ctx) => {
      const { deps, body, actor, ip } = ctx;
      const r = await importVouchers(deps, {
        planId: body.planId,
        text: body.text,
        label: body.label ?? null,
        validUntil: validUntil(ctx, body.validDays),
        sellOnline: body.sellOnline,
        strict: body.strict,
        dryRun: body.dryRun,
        actor,
        ip,
      });
      return r;
    },
  }),
  route({
    method: 'GET',
    path: '/api/admin/vouchers/stock',
    tag: 'vouchers',
    summary: 'Unsold online voucher stock per plan',
    handler: async ({ deps }) => ({ stock: await voucherStock(deps) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/vouchers/sell-cash',
    tag: 'vouchers',
    summary:
      'Sell one voucher for cash from stock (or a new code); with a phone it is texted too. The same sale as POST /api/admin/purchases/cash with purpose voucher; requestId makes it safe to repeat',
    body: z.object({
      requestId: uuidSchema.optional(),
      planId: z.number().int().positive(),
      phone: phoneInput.optional(),
    }),
    handler: async ({ deps, body, actor, ip, reply }) => {
      const phone = body.phone ?? null;
      const r = await recordCashSale(deps, {
        requestId: body.requestId,
        planId: body.planId,
        phone,
        purpose: 'voucher',
        sendSms: phone !== null,
        actor,
        ip,
      });
      reply.code(r.repeated ? 200 : 201);
      return r;
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/vouchers/batches/:id/disable',
    tag: 'vouchers',
    summary: 'Disable a batch: its unused codes stop working (codes in use run to their end); audited',
    params: uuidParam,
    handler: ({ deps, params, actor, ip }) => disableBatch(deps, { batchId: params.id, actor, ip }),
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/vouchers/batches/:id',
    tag: 'vouchers',
    summary:
      "Move a batch to another plan (its unused codes take the plan's terms) and/or relabel it; audited",
    params: uuidParam,
    body: z
      .object({
        planId: z.number().int().positive().optional(),
        label: z.string().trim().max(80).nullable().optional(),
      })
      .strict(),
    handler: ({ deps, params, body, actor, ip }) =>
      moveBatch(deps, { batchId: params.id, planId: body.planId, label: body.label, actor, ip }),
  }),
  route({
    method: 'DELETE',
    path: '/api/admin/vouchers/batches/:id',
    tag: 'vouchers',
    summary: 'Delete a batch none of whose codes was sold or used (else 409: disable it); audited',
    params: uuidParam,
    handler: ({ deps, params, actor, ip }) => deleteBatch(deps, { batchId: params.id, actor, ip }),
  }),
  sheetRoute({
    path: '/api/admin/vouchers/batches/:id/print',
    summary:
      'A paper batch as a printable page (HTML, codes with QR): layout a4 (default), 58mm or 80mm roll',
    produces: 'text/html',
    query: layoutQuery,
    take: batchSheet('voucher.print', (q) => q.layout),
    render: (sheet, q) => printHtml(sheet, q.layout),
  }),
  sheetRoute({
    path: '/api/admin/vouchers/batches/:id/print.escpos',
    summary:
      'A paper batch as ESC/POS bytes for a 58 or 80 mm USB/Bluetooth receipt printer (QR, cut per ticket)',
    produces: 'application/octet-stream',
    query: widthQuery,
    disposition: ['attachment', 'bin'],
    take: batchSheet('voucher.print', (q) => `escpos-${q.width}mm`),
    render: (sheet, q) => renderThermalEscPos(sheet, Number(q.width) as RollWidth),
  }),
  sheetRoute({
    path: '/api/admin/vouchers/batches/:id/print.pdf',
    summary: 'A paper batch as A4 PDF sheets',
    produces: 'application/pdf',
    disposition: ['inline', 'pdf'],
    take: batchSheet('voucher.print', () => 'pdf'),
    render: renderSheetPdf,
  }),
  sheetRoute({
    path: '/api/admin/vouchers/batches/:id/export.csv',
    summary: 'A paper batch as CSV',
    produces: 'text/csv',
    disposition: ['attachment', 'csv'],
    take: batchSheet('voucher.export'),
    render: renderSheetCsv,
  }),
  sheetRoute({
    path: '/api/admin/codes/:id/print',
    summary: 'Reprint one voucher (paper, or online stock already sold): layout a4, 58mm or 80mm; audited',
    produces: 'text/html',
    query: layoutQuery,
    take: reprint((q) => q.layout),
    render: (sheet, q) => printHtml(sheet, q.layout),
  }),
  sheetRoute({
    path: '/api/admin/codes/:id/print.escpos',
    summary: 'Reprint one voucher as ESC/POS bytes for a 58 or 80 mm receipt printer; audited',
    produces: 'application/octet-stream',
    query: widthQuery,
    disposition: ['attachment', 'bin'],
    take: reprint((q) => `escpos-${q.width}mm`),
    render: (sheet, q) => renderThermalEscPos(sheet, Number(q.width) as RollWidth),
  }),
];
