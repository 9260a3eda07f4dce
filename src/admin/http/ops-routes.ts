/** Operations tools for staff: the troubleshooter and its actions, reconciliation, alerts. Thin: parse, call the use case. */
import { z } from 'zod';
import { extendCode, freeDeviceSlot, MAX_EXTEND_MINUTES } from '../../access/index.ts';
import {
  alertOverview,
  readAlertSettings,
  saveAlertSettings,
  saveAlertSettingsSchema,
} from '../../alerts/index.ts';
import { uuidParam } from '../../http/paging.ts';
import { csvLine } from '../csv.ts';
import { fixDiscrepancy, fixSchema } from '../reconciliation/fix.ts';
import { CSV_HEADER, csvRows, reconciliationReport } from '../reconciliation/report.ts';
import { eatDayStart } from '../../lib/eat-time.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { troubleshoot } from '../troubleshoot/troubleshoot.ts';
import { route } from './route.ts';

export const troubleshootQuery = z.object({
  q: z.string().trim().min(1, 'Type a phone number, MAC address, access code or M-Pesa receipt').max(100),
  /** The device the customer is trying now, when it is not the one the search finds. */
  mac: z
    .string()
    .max(40)
    .optional()
    .transform((s, c) => {
      if (s === undefined || s.trim() === '') return undefined;
      const m = normalizeMac(s);
      if (!m) {
        c.addIssue({ code: 'custom', message: 'A MAC address like AA:BB:CC:DD:EE:FF' });
        return z.NEVER;
      }
      return m;
    }),
});

export const extendBody = z.object({
  minutes: z
    .number({ message: 'minutes: how many minutes to add' })
    .int('minutes: a whole number')
    .min(1, 'minutes: at least 1')
    .max(MAX_EXTEND_MINUTES, `minutes: at most ${MAX_EXTEND_MINUTES} (a day)`),
  reason: z.string().trim().max(200).optional(),
});

export const freeDeviceBody = z.object({
  mac: z.string().trim().min(1, 'mac: the device to take off').max(40),
});

export const reconciliationQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'A day as YYYY-MM-DD (East Africa time)')
    .refine((d) => eatDayStart(d) !== null, 'Not a real day')
    .optional(),
  format: z.enum(['json', 'csv']).optional(),
});

export const opsRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/troubleshoot',
    tag: 'operations',
    summary:
      'Why a customer (phone, MAC, code or receipt) is not online: ordered checks, each with verdict, evidence and fix',
    query: troubleshootQuery,
    handler: ({ deps, query }) => troubleshoot(deps, query),
  }),

  route({
    method: 'POST',
    path: '/api/admin/codes/:id/extend',
    tag: 'operations',
    summary: 'Give a live code more minutes (audited); routers and online devices learn the new end',
    params: uuidParam,
    body: extendBody,
    handler: ({ deps, params, body, actor, ip }) =>
      extendCode(deps, { accessCodeId: params.id, minutes: body.minutes, reason: body.reason, actor, ip }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/codes/:id/free-device',
    tag: 'operations',
    summary: 'Take a device off a code to free its slot (audited); the device is logged off the routers',
    params: uuidParam,
    body: freeDeviceBody,
    handler: ({ deps, params, body, actor, ip }) =>
      freeDeviceSlot(deps, { accessCodeId: params.id, mac: body.mac, actor, ip }),
  }),
  route({
    method: 'GET',
    path: '/api/admin/reports/reconciliation',
    tag: 'operations',
    summary:
      'Money ↔ codes ↔ grants ↔ router users ↔ sessions for one East Africa day (default today); format=csv for CSV',
    query: reconciliationQuery,
    handler: async ({ deps, query, reply }) => {
      const report = await reconciliationReport(deps, query.date);
      if (query.format !== 'csv') return report;
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="reconciliation-${report.date}.csv"`);
      return reply.send([CSV_HEADER, ...csvRows(report)].map(csvLine).join(''));
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/reports/reconciliation/fix',
    tag: 'operations',
    summary: "Apply a discrepancy's one-click fix (the `fix` object of the report row), audited",
    body: fixSchema,
    handler: ({ deps, body, actor, ip }) => fixDiscrepancy(deps, body, { actor, ip }),
  }),
  route({
    method: 'GET',
    path: '/api/admin/alerts',
    tag: 'operations',
    summary: 'Alert settings, what is wrong now and the latest alert messages',
    handler: async ({ deps }) => ({
      settings: await readAlertSettings(deps),
      ...(await alertOverview(deps)),
    }),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/alerts',
    tag: 'settings',
    summary: 'Alert thresholds, on/off per alert, owner phone, webhook (URL, HMAC secret) and quiet hours',
    body: saveAlertSettingsSchema,
    handler: ({ deps, body, actor, ip }) => saveAlertSettings(deps, body, actor, ip),
  }),
];
