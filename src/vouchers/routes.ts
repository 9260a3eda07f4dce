/**
 * Admin HTTP routes for vouchers. Thin: parse, one use case, map. They expose codes, so they must
 * sit behind the admin login: registerVoucherAdminRoutes is exported for the admin feature to
 * mount inside its guard; the vouchers module mounts it by itself only in demo mode.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import { assertPrintable, loadBatchSheet } from './batch-sheet.ts';
import { createVoucherBatch, MAX_BATCH } from './create-batch.ts';
import { renderSheetCsv } from './export-csv.ts';
import { importVouchers } from './import-vouchers.ts';
import { renderSheetHtml } from './print-html.ts';
import { renderSheetPdf } from './print-pdf.ts';
import { sellVoucherForCash } from './sell-for-cash.ts';
import { voucherStock } from './sell-voucher.ts';

const idParams = z.object({ id: z.string().uuid('not a batch id') });

export function registerVoucherAdminRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/api/admin/vouchers/batches', async (req, reply) => {
    const b = z
      .object({
        planId: z.number().int().positive(),
        count: z.number().int().min(1).max(MAX_BATCH),
        label: z.string().max(80).optional(),
        validDays: z.number().int().min(1).max(3650).optional(),
        sellOnline: z.boolean().optional(),
      })
      .parse(req.body);
    const validUntil = b.validDays ? new Date(deps.clock.now().getTime() + b.validDays * 86_400_000) : null;
    const r = await createVoucherBatch(deps, { ...b, validUntil });
    return reply.code(201).send({ batchId: r.batchId, count: r.count });
  });

  app.post('/api/admin/vouchers/import', async (req) => {
    const b = z
      .object({
        planId: z.number().int().positive(),
        text: z.string().min(1).max(2_000_000),
        label: z.string().max(80).optional(),
        sellOnline: z.boolean().optional(),
        strict: z.boolean().optional(),
        dryRun: z.boolean().optional(),
      })
      .parse(req.body);
    return importVouchers(deps, b);
  });

  app.post('/api/admin/vouchers/sell-cash', async (req, reply) => {
    const b = z
      .object({ planId: z.number().int().positive(), phone: z.string().max(20).optional() })
      .parse(req.body);
    return reply.code(201).send(await sellVoucherForCash(deps, b));
  });

  app.get('/api/admin/vouchers/stock', async () => ({ stock: await voucherStock(deps) }));

  app.get('/api/admin/vouchers/batches/:id/print', async (req, reply) => {
    const sheet = await loadBatchSheet(deps, idParams.parse(req.params).id);
    assertPrintable(sheet);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderSheetHtml(sheet));
  });

  app.get('/api/admin/vouchers/batches/:id/print.pdf', async (req, reply) => {
    const sheet = await loadBatchSheet(deps, idParams.parse(req.params).id);
    assertPrintable(sheet);
    return reply
      .type('application/pdf')
      .header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="vouchers-${sheet.batchId.slice(0, 8)}.pdf"`)
      .send(await renderSheetPdf(sheet));
  });

  app.get('/api/admin/vouchers/batches/:id/export.csv', async (req, reply) => {
    const sheet = await loadBatchSheet(deps, idParams.parse(req.params).id);
    assertPrintable(sheet);
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="vouchers-${sheet.batchId.slice(0, 8)}.csv"`)
      .send(renderSheetCsv(sheet));
  });
}
