/** Operations tools for staff: the troubleshooter and its actions. Thin: parse, call the use case. */
import { z } from 'zod';
import { extendCode, freeDeviceSlot, MAX_EXTEND_MINUTES } from '../../access/index.ts';
import { uuidParam } from '../../http/paging.ts';
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
];
