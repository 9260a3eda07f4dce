/** Operations tools for staff: the troubleshooter. Thin: parse, call the use case. */
import { z } from 'zod';
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
];
