/**
 * Daraja's HTTP surface on top of the simulator engine, as a Fastify plugin. Mount it with a
 * prefix (`/sim/daraja` in demo) and point MPESA_BASE_URL there. Non-JSON bodies get Daraja's odd
 * answer (`Invalid BusinessShortCode`) instead of Fastify's 415.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DarajaSim } from './engine.ts';
import type { SimReply } from './types.ts';

const NOT_JSON = Symbol('not json');

export async function darajaSimRoutes(app: FastifyInstance, opts: { sim: DarajaSim }): Promise<void> {
  const sim = opts.sim;
  // Encapsulated: only this plugin's routes accept any content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(null, { [NOT_JSON]: true });
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) =>
    done(null, { [NOT_JSON]: true }),
  );

  const send = (reply: FastifyReply, r: SimReply) => {
    if (r.headers) for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
    return reply.code(r.status).send(r.body);
  };

  app.get('/oauth/v1/generate', async (req, reply) => {
    const q = req.query as { grant_type?: string };
    return send(
      reply,
      sim.oauth(req.headers.authorization, q.grant_type?.trim() === q.grant_type ? q.grant_type : undefined),
    );
  });

  const api =
    (handle: (appKey: string, body: Record<string, unknown>) => SimReply) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const who = sim.authorize(req.headers.authorization);
      if ('status' in who) return send(reply, who);
      const body = req.body as Record<string | symbol, unknown> | undefined;
      if (!body || typeof body !== 'object' || body[NOT_JSON]) {
        return send(reply, {
          status: 400,
          body: {
            requestId: '',
            errorCode: '400.002.02',
            errorMessage: 'Bad Request - Invalid BusinessShortCode',
          },
        });
      }
      return send(reply, handle(who.app, body as Record<string, unknown>));
    };

  app.post(
    '/pulltransactions/v1/register',
    api((a, b) => sim.pullRegister(a, b)),
  );
  app.post(
    '/pulltransactions/v1/query',
    api((a, b) => sim.pullQuery(a, b)),
  );
  app.post(
    '/mpesa/transactionstatus/v1/query',
    api((a, b) => sim.transactionStatus(a, b)),
  );
  app.post(
    '/mpesa/stkpush/v1/processrequest',
    api((a, b) => sim.stkPush(a, b)),
  );
  app.post(
    '/mpesa/stkpushquery/v1/query',
    api((a, b) => sim.stkQuery(a, b)),
  );
  app.post(
    '/mpesa/c2b/v1/registerurl',
    api((a, b) => sim.registerUrls(a, b, 'v1')),
  );
  app.post(
    '/mpesa/c2b/v2/registerurl',
    api((a, b) => sim.registerUrls(a, b, 'v2')),
  );
  app.post(
    '/mpesa/c2b/v1/simulate',
    api((a, b) => sim.c2bSimulate(a, b)),
  );
  app.post(
    '/mpesa/c2b/v2/simulate',
    api((a, b) => sim.c2bSimulate(a, b)),
  );
  for (const path of ['/mpesa/stkpush/v1/processrequest', '/mpesa/stkpushquery/v1/query']) {
    app.get(path, async (_req, reply) =>
      reply.code(405).send({ requestId: '', errorCode: '405.001', errorMessage: 'Method Not Allowed' }),
    );
  }
}
