/** `wavu sim daraja`: the simulator alone on its own port, for pointing any Daraja client at it. */
import Fastify from 'fastify';
import { parse, UsageError } from '../../cli/command.ts';
import type { SimEntry } from '../entry.ts';
import { darajaSimControlRoutes } from './control.ts';
import { DarajaSim } from './engine.ts';
import { NO_FAULTS } from './types.ts';
import { seededRandom } from './outcomes.ts';
import { phonePageRoutes } from './phone-page.ts';
import { darajaSimRoutes } from './routes.ts';

export async function startDarajaSim(o: { host: string; port: number; sim: DarajaSim; logger?: boolean }) {
  const app = Fastify({ logger: o.logger ?? false });
  app.addHook('onClose', async () => o.sim.close());
  await app.register(darajaSimRoutes, { sim: o.sim });
  await app.register(darajaSimControlRoutes, { sim: o.sim });
  await app.register(phonePageRoutes, { prefix: '/sim/phone', sim: o.sim, base: '/sim/phone' });
  const url = await app.listen({ host: o.host, port: o.port });
  return { app, url };
}

export const darajaSimCommand: SimEntry = {
  name: 'daraja',
  summary: 'M-Pesa Daraja simulator (OAuth, STK push/query, C2B, callbacks, phone page).',
  usage: `wavu sim daraja [--port N] [--host H] [--auto] [--drop R] [--duplicate R] [--delay MIN-MAX] [...]

Runs a Daraja look-alike on its own port. Point MPESA_BASE_URL at http://HOST:PORT.
Credentials: the demo consumer key/secret and shortcode 174379 with the public sandbox passkey.

  --port N             port to listen on (default 3300)
  --host H             address to listen on (default 127.0.0.1)
  --auto               pay every prompt automatically (default: wait for a person on /sim/phone)
  --prompt-timeout MS  an unanswered prompt ends with 1037 after this long (default 60000)
  --drop R             probability (0..1) a callback is lost
  --duplicate R        probability a callback is sent twice
  --delay MIN-MAX      callback delay range in ms (e.g. 200-3000)
  --push-500 R         probability an STK push is answered HTTP 500 (no prompt sent)
  --query-500 R        probability an STK Query is answered HTTP 500
  --stk-also-c2b       a paid STK push to the Paybill is also sent as a C2B confirmation, as
                       Daraja does once C2B URLs are registered for the shortcode
  --seed N             repeatable faults: the same seed draws the same random choices

GET /_sim/stk[?phone=2547…&state=pending|final] lists the pushes as JSON (for scripts).`,
  async run(argv) {
    const { values } = parse(argv, {
      port: { type: 'string', default: '3300' },
      host: { type: 'string', default: '127.0.0.1' },
      auto: { type: 'boolean', default: false },
      drop: { type: 'string', default: '0' },
      duplicate: { type: 'string', default: '0' },
      delay: { type: 'string', default: '0-0' },
      'prompt-timeout': { type: 'string', default: '60000' },
      'push-500': { type: 'string', default: '0' },
      'query-500': { type: 'string', default: '0' },
      'stk-also-c2b': { type: 'boolean', default: false },
      seed: { type: 'string' },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const rate = (v: string, name: string) => {
      const n = Number(v);
      if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be between 0 and 1`);
      return n;
    };
    const d = /^(\d+)-(\d+)$/.exec(values.delay);
    if (!d) throw new UsageError('--delay must look like 200-3000');
    const whole = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
      return Number(v);
    };
    const seed = whole(values.seed, 'seed');
    const sim = new DarajaSim({
      defaultPlan: values.auto ? { kind: 'result', code: 0 } : { kind: 'manual' },
      promptTimeoutMs: whole(values['prompt-timeout'], 'prompt-timeout')!,
      ...(seed === undefined ? {} : { random: seededRandom(seed) }),
      faults: {
        ...NO_FAULTS,
        dropRate: rate(values.drop, 'drop'),
        duplicateRate: rate(values.duplicate, 'duplicate'),
        callbackDelayMs: [Number(d[1]), Number(d[2])],
        push500Rate: rate(values['push-500'], 'push-500'),
        query500Rate: rate(values['query-500'], 'query-500'),
        stkAlsoC2b: values['stk-also-c2b'],
      },
    });
    const { app, url } = await startDarajaSim({ host: values.host, port, sim });
    process.stdout.write(
      `Daraja simulator on ${url}\n  phone page: ${url}/sim/phone\n  Press Ctrl+C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await app.close();
    return 0;
  },
};
