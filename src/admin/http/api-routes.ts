/** The admin JSON API (besides sign-in): thin routes over the use cases in src/admin/*. */
import { z } from 'zod';
import { revokeCode } from '../../access/index.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { setReminderOptOut } from '../../notify/index.ts';
import { recordCashSale, registerPull } from '../../payments/index.ts';
import { registerMpesaUrls, sendTestSms, testMpesa } from '../settings/check-settings.ts';
import { listAudit, listAuditQuery } from '../../audit/index.ts';
import { getCode, listCodes, listCodesQuery } from '../codes/list-codes.ts';
import { mayReadCodes } from '../policy.ts';
import { customerParam, getCustomer, listCustomers, listCustomersQuery } from '../customers/customers.ts';
import { getDashboard } from '../dashboard/get-dashboard.ts';
import { exportCustomers, exportPurchases } from '../exports.ts';
import { idParam, phoneInput, uuidParam, uuidSchema } from '../../http/paging.ts';
import { createPlan, deletePlan, listPlans, planInput, planPatch, updatePlan } from '../../plans/index.ts';
import { getPurchaseDetail } from '../purchases/get-purchase-detail.ts';
import { listPurchases, listPurchasesQuery, purchaseFilters } from '../purchases/list-purchases.ts';
import { resendCode } from '../purchases/resend-code.ts';
import { retryGrant } from '../purchases/retry-grant.ts';
import { listBatches, listBatchesQuery } from '../vouchers/list-batches.ts';
import { disconnectSession } from '../sessions/disconnect-session.ts';
import { listSessions, listSessionsQuery } from '../sessions/list-sessions.ts';
import {
  brandingSchema,
  mpesaSchema,
  readSettings,
  saveBranding,
  saveMpesa,
  saveSms,
  smsSchema,
} from '../settings/settings.ts';
import {
  createStaff,
  createStaffBody,
  listStaff,
  patchStaffBody,
  updateStaff,
} from '../staff/manage-staff.ts';
import { route } from './route.ts';

const ok = { ok: true } as const;
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

export const apiRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/dashboard',
    tag: 'dashboard',
    summary:
      'Revenue per day/plan/router, sessions, payment success and result codes, payment-to-access time',
    query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
    handler: ({ deps, query }) => getDashboard(deps, query),
  }),

  route({
    method: 'GET',
    path: '/api/admin/plans',
    tag: 'plans',
    summary: 'All plans, in portal order',
    handler: async ({ deps }) => ({ items: await listPlans(deps.db) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/plans',
    tag: 'plans',
    summary: 'Create a plan',
    body: planInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createPlan(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/plans/:id',
    tag: 'plans',
    summary: 'Change a plan (only the fields sent)',
    params: idParam,
    body: planPatch,
    handler: ({ deps, params, body, actor, ip }) => updatePlan(deps, params.id, body, actor, ip),
  }),
  route({
    method: 'DELETE',
    path: '/api/admin/plans/:id',
    tag: 'plans',
    summary: 'Delete a plan, or retire it (hide it) when anything was sold on it',
    params: idParam,
    handler: ({ deps, params, actor, ip }) => deletePlan(deps, params.id, actor, ip),
  }),

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
    path: '/api/admin/codes',
    tag: 'codes',
    summary:
      'Access codes and vouchers with batch and phone. q = a code (as typed) or a phone; codes are masked for roles that may not print them',
    query: listCodesQuery,
    handler: ({ deps, query, admin }) => listCodes(deps, query, mayReadCodes(admin?.role ?? null)),
  }),
  route({
    method: 'GET',
    path: '/api/admin/codes/:id',
    tag: 'codes',
    summary: 'One access code with its devices and sessions',
    params: uuidParam,
    handler: ({ deps, params, admin }) => getCode(deps, params.id, mayReadCodes(admin?.role ?? null)),
  }),
  route({
    method: 'POST',
    path: '/api/admin/codes/:id/revoke',
    tag: 'codes',
    summary: 'Revoke a code and take it off every router (gateway.revoke), in one transaction',
    params: uuidParam,
    body: z.object({ reason: z.string().trim().max(200).optional() }),
    handler: ({ deps, params, body, actor, ip }) =>
      revokeCode(deps, {
        accessCodeId: params.id,
        reason: body.reason,
        actor,
        ip,
      }),
  }),

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
    path: '/api/admin/sessions',
    tag: 'sessions',
    summary:
      'Sessions (live by default); q = MAC, IP or username. The first page of live ones also enqueues a poll of api-mode routers (not awaited)',
    query: listSessionsQuery,
    handler: ({ deps, query }) => listSessions(deps, query),
  }),
  route({
    method: 'POST',
    path: '/api/admin/sessions/:id/disconnect',
    tag: 'sessions',
    summary: 'Disconnect a live session (gateway.disconnect)',
    params: uuidParam,
    handler: ({ deps, params, actor, ip }) => disconnectSession(deps, { sessionId: params.id, actor, ip }),
  }),

  route({
    method: 'GET',
    path: '/api/admin/customers',
    tag: 'customers',
    summary:
      'Customers: every phone bought from (M-Pesa or cash) or texted a code, with spend, codes and last seen; q = phone (or part of one) or name',
    query: listCustomersQuery,
    handler: ({ deps, query }) => listCustomers(deps, query),
  }),
  route({
    method: 'GET',
    path: '/api/admin/customers/:id',
    tag: 'customers',
    summary: 'One customer (id = the phone) with recent purchases and codes',
    params: customerParam,
    handler: ({ deps, params }) => getCustomer(deps, params.id),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/customers/:id/reminders',
    tag: 'customers',
    summary: 'Switch expiry reminder texts off (remindersOff: true) or back on for a phone',
    params: customerParam,
    body: z.object({ remindersOff: z.boolean() }),
    handler: ({ deps, params, body, actor, ip }) =>
      setReminderOptOut(deps, { phone: params.id, optedOut: body.remindersOff, source: 'staff', actor, ip }),
  }),

  route({
    method: 'GET',
    path: '/api/admin/settings',
    tag: 'settings',
    summary: 'Branding, M-Pesa and SMS settings (secrets only as "set" flags)',
    handler: ({ deps }) => readSettings(deps),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/branding',
    tag: 'settings',
    summary: 'Portal name, colour and support phone',
    body: brandingSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveBranding(deps, body, actor, ip);
      return ok;
    },
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/mpesa',
    tag: 'settings',
    summary: 'M-Pesa account; secrets: a value sets, null clears, absent keeps',
    body: mpesaSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveMpesa(deps, body, actor, ip);
      return ok;
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/test',
    tag: 'settings',
    summary: 'Fetch a Daraja token with the settings in force; the answer in plain words',
    handler: ({ deps }) => testMpesa(deps),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/register-urls',
    tag: 'settings',
    summary: 'Register the C2B URLs for the account in force; the answer in plain words',
    handler: ({ deps }) => registerMpesaUrls(deps),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/sms/test',
    tag: 'settings',
    summary: "Send a test SMS with the provider in force; the provider's answer",
    body: z.object({ to: z.string().max(20) }),
    handler: ({ deps, body }) => sendTestSms(deps, body.to),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/pull',
    tag: 'settings',
    summary: "Register the account for Pull Transactions (Daraja's answer in plain words)",
    body: z.object({
      nominatedNumber: z.string().regex(/^2547\d{8}$|^2541\d{8}$/, 'a number like 2547XXXXXXXX'),
    }),
    handler: ({ deps, body, actor, ip }) => registerPull(deps, body, actor, ip),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/sms',
    tag: 'settings',
    summary: 'SMS provider; apiKey: a value sets, null clears, absent keeps',
    body: smsSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveSms(deps, body, actor, ip);
      return ok;
    },
  }),

  route({
    method: 'GET',
    path: '/api/admin/staff',
    tag: 'staff',
    summary: 'Staff accounts',
    handler: async ({ deps }) => ({ items: await listStaff(deps) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/staff',
    tag: 'staff',
    summary: 'Add a staff account',
    body: createStaffBody,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createStaff(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/staff/:id',
    tag: 'staff',
    summary: 'Change role, disable/enable, reset password or unlock an account',
    params: idParam,
    body: patchStaffBody,
    handler: ({ deps, params, body, actor, ip }) => updateStaff(deps, params.id, body, actor, ip),
  }),

  route({
    method: 'GET',
    path: '/api/admin/audit',
    tag: 'audit',
    summary: 'The audit log, newest first',
    query: listAuditQuery,
    handler: ({ deps, query }) => listAudit(deps, query),
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
  route({
    method: 'GET',
    path: '/api/admin/exports/customers.csv',
    tag: 'exports',
    summary: 'Customers as CSV, streamed',
    produces: 'text/csv',
    handler: async ({ deps, reply }) => {
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="customers.csv"');
      return reply.send(exportCustomers(deps));
    },
  }),
];
