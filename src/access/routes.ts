/**
 * Public access API (portal, RADIUS glue): redeem a code, recover a paid purchase. Thin: parse,
 * one use case, map. A refusal is 403 with the decision JSON; throttling is 429 with Retry-After.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import { recoverAccess } from './recover.ts';
import { redeemCode } from './redeem.ts';

const device = {
  mac: z.string().min(11).max(32),
  ip: z.string().max(64).optional(),
  routerId: z.number().int().positive().optional(),
};

export function registerAccessRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/api/access/redeem', async (req, reply) => {
    const b = z.object({ code: z.string().min(1).max(64), ...device }).parse(req.body);
    const d = await redeemCode(deps, { ...b, sourceIp: req.ip });
    return reply.code(d.ok ? 200 : 403).send(d);
  });

  app.post('/api/access/recover', async (req, reply) => {
    const b = z
      .object({ receipt: z.string().min(1).max(32), lang: z.enum(['en', 'sw']).optional(), ...device })
      .or(
        z.object({
          phone: z.string().min(9).max(20),
          amountKes: z.number().int().positive(),
          day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'),
          lang: z.enum(['en', 'sw']).optional(),
          ...device,
        }),
      )
      .parse(req.body);
    const r = await recoverAccess(deps, { ...b, sourceIp: req.ip });
    return reply.code(r.ok ? 200 : r.via === 'receipt' && r.reason === 'unknown' ? 404 : 403).send(r);
  });
}
