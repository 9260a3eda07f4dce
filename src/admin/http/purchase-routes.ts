/** Purchases: the list, a cash sale, one purchase and its fixes, the CSV export. */
import { z } from 'zod';
import { normalizeMac } from '../../lib/mac.ts';
import { recordCashSale } from '../../payments/index.ts';
import { exportPurchases } from '../exports.ts';
import { phoneInput, uuidParam, uuidSchema } from '../../http/paging.ts';
import { getPurchaseDetail } from '../purchases/get-purchase-detail.ts';
import { listPurchases, listPurchasesQuery, purchaseFilters } from '../purchases/list-purchases.ts';
import { resendCode } from '../purchases/resend-code.ts';
import { retryGrant } from '../purchases/retry-grant.ts';
import { route } from './route.ts';

const macInput = z
  .string()
  .max(40)
  .transform((s, c) => {
    const m = normalizeMac(s);
    if (!m) {
      c.addIssue({ code: 'custom', message: 'A MAC address like AA:BB:CC:DD:EE:FF' });
      return z.NEVER;
    }
    return m;
  });

export const purchaseRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/purchases',
    tag: 'purchases',
    summary: 'Purchases, newest first. q = phone, receipt, ref, id or access code. Keyset paging with cursor',
    query: listPurchasesQuery,
    handler: ({ deps, query }) => listPurchases(deps, query),
  }),
  route({
    method: 'POST',
    path: '/api/admin/purchases/cash',
    tag: 'purchases',
    summary: 'Record a cash sale: a paid cash purchase and its access code, in one transaction',
    body: z.object({
      requestId: uuidSchema.optional(),
      planId: z.number().int().positive(),
      phone: phoneInput.optional(),
      purpose: z.enum(['access', 'voucher']).default('voucher'),
      mac: macInput.optional(),
      routerId: z.number().int().positive().optional(),
      sendSms: z.boolean().default(false),
    }),
    handler: async ({ deps, body, actor, ip, reply }) => {
      const r = await recordCashSale(deps, { ...body, phone: body.phone ?? null, actor, ip });
      reply.code(r.repeated ? 200 : 201);
      return r;
    },
  }),
  route({
    method: 'GET',
    path: '/api/admin/purchases/:id',
    tag: 'purchases',
    summary:
      'One purchase with its access code and a timeline (raw callbacks, SMS, router jobs, sessions, staff)',
    params: uuidParam,
    handler: ({ deps, params }) => getPurchaseDetail(deps, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/admin/purchases/:id/retry-grant',
    tag: 'purchases',
    summary: "Queue the purchase's access onto a router again (gateway.grant)",
    params: uuidParam,
    body: z.object({ routerId: z.number().int().positive().optional() }),
    handler: ({ deps, params, body, actor, ip }) =>
      retryGrant(deps, { purchaseId: params.id, routerId: body.routerId, actor, ip }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/purchases/:id/resend-code',
    tag: 'purchases',
    summary: "Text the purchase's access code again (to its phone, or to the phone given)",
    params: uuidParam,
    body: z.object({ phone: phoneInput.optional() }),
    handler: ({ deps, params, body, actor, ip }) =>
      resendCode(deps, { purchaseId: params.id, phone: body.phone, actor, ip }),
  }),
  route({
    method: 'GET',
    path: '/api/admin/exports/purchases.csv',
    tag: 'exports',
    summary: 'Purchases as CSV (same filters as the list), streamed',
    query: purchaseFilters,
    produces: 'text/csv',
    handler: async ({ deps, query, reply }) => {
      const stream = await exportPurchases(deps, query);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="purchases.csv"');
      return reply.send(stream);
    },
  }),
];
