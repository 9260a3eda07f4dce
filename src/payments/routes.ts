/** Public payment API and the Daraja webhooks. Thin: parse, call one use case, map the result. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import { C2B_ACCEPT, C2B_CONFIRM_ACK, c2bReject, STK_ACK } from '../protocols/daraja/callbacks.ts';
import { receiveC2bConfirmation, validateC2b } from './c2b.ts';
import { type CallbackBody, readCallbackBody } from './callback-body.ts';
import { getPurchase, MAX_WAIT_SECONDS } from './get-purchase.ts';
import { listPlansOnSale } from '../plans/index.ts';
import { startPurchase } from './start-purchase.ts';
import { receiveStkCallback } from './stk-callback.ts';

const StartBody = z.object({
  planId: z.coerce.number().int().positive('Pick a package'),
  phone: z.string().trim().min(9, 'Enter your phone number').max(20),
  mac: z.string().trim().max(17).optional().nullable(),
  ip: z.string().trim().max(45).optional().nullable(),
  routerId: z.coerce.number().int().positive().optional().nullable(),
  purpose: z.enum(['access', 'voucher']).optional(),
  recipientPhone: z.string().trim().max(20).optional().nullable(),
  lang: z.enum(['en', 'sw']).optional(),
});

const GetQuery = z.object({
  wait: z.coerce.number().min(0).max(3600).optional(),
  lang: z.enum(['en', 'sw']).optional(),
});

/** Daraja callbacks are well under 2 KB; anything big is not from Daraja. */
const CALLBACK_BODY_LIMIT = 64 * 1024;

/**
 * The callback routes log warnings and errors only: Fastify's two info lines per request
 * ("incoming request", "request completed") would repeat what the inbox row already keeps for
 * every callback, at the rate payments arrive.
 */
const CALLBACK_ROUTE = { bodyLimit: CALLBACK_BODY_LIMIT, logLevel: 'warn' } as const;

export function paymentRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/api/plans', async () => ({ plans: await listPlansOnSale(deps.db) }));

  app.post('/api/purchases', async (req, reply) => {
    const b = StartBody.parse(req.body ?? {});
    const r = await startPurchase(deps, b);
    return reply.code(201).send(r);
  });

  app.get('/api/purchases/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = GetQuery.parse(req.query);
    const ac = new AbortController();
    // Stop waiting when the browser goes away.
    req.raw.once('close', () => ac.abort());
    const view = await getPurchase(deps, id, {
      waitSeconds: Math.min(q.wait ?? 0, MAX_WAIT_SECONDS),
      lang: q.lang,
      signal: ac.signal,
    });
    return reply.header('cache-control', 'no-store').send(view);
  });

  const remote = (req: { ip: string }) => req.ip.replace(/^::ffff:/, '');
  app.register(callbackRoutes(deps, remote));
}

/**
 * The Daraja webhooks, in their own scope with their own body parser: every body, whatever its
 * content type, arrives as text plus the JSON value when there is one (`readCallbackBody`). So
 * invalid JSON, or JSON the database cannot hold as jsonb, is stored and answered the Daraja way
 * like any other body, instead of failing in the server's JSON parser with an error page.
 */
function callbackRoutes(deps: Deps, remote: (req: { ip: string }) => string) {
  return async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => {
      done(null, readCallbackBody(text as string));
    });
    // No body at all (no parser runs): stored as empty text, like any other non-callback.
    const bodyOf = (req: { body: unknown }) => (req.body as CallbackBody | undefined) ?? readCallbackBody('');

    // Always 200 with the same body: Daraja does not retry, and a forger learns nothing.
    scope.post('/callbacks/stk/:secret', CALLBACK_ROUTE, async (req) => {
      const { secret } = req.params as { secret: string };
      try {
        await receiveStkCallback(deps, { secret, body: bodyOf(req), remoteAddr: remote(req) });
      } catch (e) {
        // Stored or not, answer Daraja; the inbox sweep and the reconciler pick it up.
        req.log.error({ err: e }, 'STK callback processing failed');
      }
      return STK_ACK;
    });

    // An answer Daraja understands, even for a body we cannot read (see validateC2b). If we cannot
    // decide at all, refuse: an error would let Daraja complete the payment unchecked.
    scope.post('/callbacks/c2b/validate/:secret', CALLBACK_ROUTE, async (req) => {
      const { secret } = req.params as { secret: string };
      try {
        const a = await validateC2b(deps, { secret, body: bodyOf(req), remoteAddr: remote(req) });
        return a.accept ? C2B_ACCEPT : c2bReject(a.code);
      } catch (e) {
        req.log.error({ err: e }, 'C2B validation failed; payment refused');
        return c2bReject('C2B00016');
      }
    });

    scope.post('/callbacks/c2b/confirm/:secret', CALLBACK_ROUTE, async (req) => {
      const { secret } = req.params as { secret: string };
      try {
        await receiveC2bConfirmation(deps, { secret, body: bodyOf(req), remoteAddr: remote(req) });
      } catch (e) {
        req.log.error({ err: e }, 'C2B confirmation processing failed');
      }
      return C2B_CONFIRM_ACK;
    });
  };
}
