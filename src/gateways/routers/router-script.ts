/** The setup script for one router, with its secrets unsealed (CLI and admin API share it). */
import type { Deps } from '../../app/deps.ts';
import type { RouterRow } from '../adapter.ts';
import { AppError } from '../../lib/errors.ts';
import { hashAgentToken } from '../agent/token.ts';
import { openndsScript } from '../opennds/script.ts';
import { unifiScript } from '../unifi/script.ts';
import { pfsenseScript } from '../pfsense/script.ts';
import { opnsenseScript } from '../opnsense/script.ts';
import { INTERIM_SECONDS } from './radius-profile.ts';
import { query } from '../../db/open.ts';
import { sql } from 'drizzle-orm';
import { type ScriptInput, setupScript } from '../setup-script.ts';
import { routerTunnelEnd } from '../wireguard/router-end.ts';
import { expiredPoolName } from '../ppp-pool.ts';

export async function routerScript(
  deps: Deps,
  router: RouterRow,
  o: {
    radiusAddress?: string | undefined;
    /** Agent routers: the token (shown once, so the caller has it) and the RouterOS syntax. */
    agent?: ScriptInput['agent'];
    /** Agent routers, from the dashboard: the token as typed, checked against the stored hash. */
    agentToken?: string | undefined;
    routeros?: 6 | 7;
    /** openNDS routers: the FAS's IP when PUBLIC_URL names a host. */
    fasIp?: string | undefined;
    /** MikroTik routers: add the PPPoE subscribers' part (RADIUS for PPP, the expired pool). */
    ppp?: boolean;
  } = {},
): Promise<string> {
  if (router.mode === 'opennds') {
    return openndsScript({
      router,
      faskey: deps.sealer.unseal(router.openndsFaskeySealed!),
      publicUrl: deps.config.publicUrl,
      fasIp: o.fasIp,
    });
  }
  if (router.mode === 'unifi') {
    const [n] = await query<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM routers WHERE mode = 'unifi' AND unifi_site = ${router.unifiSite}`,
    );
    return unifiScript({ router, publicUrl: deps.config.publicUrl, sharedSite: Number(n?.n) > 1 });
  }
  if (router.mode === 'radius' && router.radiusProfile !== 'mikrotik') {
    const i = {
      router,
      publicUrl: deps.config.publicUrl,
      radiusSecret: deps.sealer.unseal(router.radiusSecretSealed!),
      radiusAddress: o.radiusAddress,
      radiusPorts: { auth: deps.config.radius.authPort || 1812, acct: deps.config.radius.acctPort || 1813 },
      interimSeconds: INTERIM_SECONDS,
    };
    return router.radiusProfile === 'pfsense' ? pfsenseScript(i) : opnsenseScript(i);
  }
  let agent = o.agent;
  if (!agent && router.apiTransport === 'agent') {
    // Only the hash is kept, so the script can carry the token only if the caller still has it.
    if (!o.agentToken || hashAgentToken(o.agentToken) !== router.agentTokenHash) {
      throw new AppError(
        'validation',
        `An agent router's script carries its token, which Wavu keeps only as a hash: give the token shown when the router was added, or make a new one with: wavu routers script ${router.name} --rotate-token`,
      );
    }
    agent = { token: o.agentToken, routeros: o.routeros ?? 7 };
  }
  return setupScript({
    router,
    publicUrl: deps.config.publicUrl,
    apiPassword: router.passwordSealed ? deps.sealer.unseal(router.passwordSealed) : undefined,
    radiusSecret: router.radiusSecretSealed ? deps.sealer.unseal(router.radiusSecretSealed) : undefined,
    radiusAddress: o.radiusAddress,
    radiusPorts: { auth: deps.config.radius.authPort || 1812, acct: deps.config.radius.acctPort || 1813 },
    wireguard: await routerTunnelEnd(deps, router),
    agent,
    ppp: o.ppp ? { expiredPool: await expiredPoolName(deps.db) } : undefined,
    now: deps.clock.now(),
  });
}
