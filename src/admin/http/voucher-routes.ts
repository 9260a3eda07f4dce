/**
 * Voucher routes behind the admin login: thin wrappers over src/vouchers. Each use case writes its
 * own audit row in its own transaction; printing and exporting are audited too because they
 * reveal codes. A cash sale is the one in src/payments, whichever screen it comes from.
 */
import { z } from 'zod';
import { recordCashSale } from '../../payments/index.ts';
import { type BatchSheet, takeBatchSheet } from '../../vouchers/index.ts';
import { createVoucherBatch, MAX_BATCH } from '../../vouchers/index.ts';
import { renderSheetCsv } from '../../vouchers/index.ts';
import { importVouchers } from '../../vouchers/index.ts';
import { renderSheetHtml } from '../../vouchers/index.ts';
import { renderSheetPdf } from '../../vouchers/index.ts';
import { voucherStock } from '../../access/index.ts';
import { phoneInput, uuidParam, uuidSchema } from '../../http/paging.ts';
import { type Ctx, route } from './route.ts';

const validUntil = (ctx: Ctx, days: number | undefined) =>
  days ? new Date(ctx.deps.clock.now().getTime() + days * 86_400_000) : null;

/**
 * A paper batch as a file (HTML, PDF or CSV): audited by `takeBatchSheet`, since it reveals codes,
 * and never cached.
 */
const sheetRoute = (o: {
  file: string;
  summary: string;
  produces: 'text/html' | 'application/pdf' | 'text/csv';
  action: 'voucher.print' | 'voucher.export';
  /** `inline` or `attachment`, with the file's extension; none for the print page. */
  disposition?: [kind: 'inline' | 'attachment', ext: string];
  render: (sheet: BatchSheet) => string | Buffer | Promise<Buffer>;
}) =>
  route({
    method: 'GET',
    path: `/api/admin/vouchers/batches/:id/${o.file}`,
    tag: 'vouchers',
    summary: o.summary,
    params: uuidParam,
    produces: o.produces,
    handler: async ({ deps, params, actor, ip, reply }) => {
      const sheet = await takeBatchSheet(deps, { batchId: params.id, action: o.action, actor, ip });
      reply
        .header('cache-control', 'no-store')
        .type(`${o.produces}${o.produces === 'application/pdf' ? '' : '; charset=utf-8'}`);
      if (o.disposition) {
        const [kind, ext] = o.disposition;
        reply.header(
          'content-disposition',
          `${kind}; filename="vouchers-${sheet.batchId.slice(0, 8)}.${ext}"`,
        );
      }
      return reply.send(await o.render(sheet));
    },
  });

export const voucherRoutes = [
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
    }),
    handler: async (ctx) => {
      const { deps, body, actor, ip, reply } = ctx;
      const r = await createVoucherBatch(deps, {
        planId: body.planId,
        count: body.count,
        label: body.label ?? null,
        validUntil: validUntil(ctx, body.validDays),
        sellOnline: body.sellOnline,
        actor,
        ip,
      });
      reply.code(201);
      return { batchId: r.batchId, count: r.count };
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
  sheetRoute({
    file: 'print',
    summary: 'A paper batch as a printable page (HTML, codes with QR)',
    produces: 'text/html',
    action: 'voucher.print',
    render: renderSheetHtml,
  }),
  sheetRoute({
    file: 'print.pdf',
    summary: 'A paper batch as A4 PDF sheets',
    produces: 'application/pdf',
    action: 'voucher.print',
    disposition: ['inline', 'pdf'],
    render: renderSheetPdf,
  }),
  sheetRoute({
    file: 'export.csv',
    summary: 'A paper batch as CSV',
    produces: 'text/csv',
    action: 'voucher.export',
    disposition: ['attachment', 'csv'],
    render: renderSheetCsv,
  }),
];
