import type { Deps } from '../../app/deps.ts';
import { RosConnectionError, RosLoginError } from '../../protocols/routeros/errors.ts';
import type { RouterHealth } from '../adapter.ts';
import { adapterFor } from '../modes.ts';
import { buildClient } from '../connections.ts';
import { MikrotikApiAdapter } from '../mikrotik/api-adapter.ts';
import { findRouter } from './get-router.ts';
import { routerProblem } from './problem.ts';
import { recordHealth } from './repo.ts';

export interface TestRouterResult {
  health: RouterHealth;
  /** api-tls / REST over HTTPS: the certificate's fingerprint, to pin with `--tls-fingerprint`. */
  fingerprint256?: string;
  /** What to do about a failure, in plain words. */
  hint?: string;
}

/** Connect and log in now (a fresh connection, short timeout), and record the result as a health check. */
export async function testRouter(
  deps: Deps,
  ref: string | number,
  o: { timeoutMs?: number } = {},
): Promise<TestRouterResult> {
  const r = await findRouter(deps, ref);
  const now = deps.clock.now();
  if (r.mode !== 'api' || r.apiTransport === 'agent') {
    const health = await adapterFor(deps, r).health();
    return { health };
  }
  const client = buildClient(r, deps.sealer, { timeoutMs: o.timeoutMs ?? 5_000 });
  const t0 = performance.now();
  let result: TestRouterResult;
  try {
    const health = await new MikrotikApiAdapter(client).health();
    result = { health };
  } catch (e) {
    const msg = (e as Error).message;
    const hint =
      e instanceof RosLoginError || e instanceof RosConnectionError
        ? routerProblem(r, msg)!
        : `The router answered in an unexpected way: ${msg}`;
    result = { health: { ok: false, latencyMs: Math.round(performance.now() - t0), error: msg }, hint };
  } finally {
    const fp = (client as { peerFingerprint256?: string }).peerFingerprint256;
    await client.close();
    if (fp) result!.fingerprint256 = fp;
  }
  await recordHealth(deps.db, r.id, result.health, now);
  return result;
}
