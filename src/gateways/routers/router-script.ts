/** The setup script for one router, with its secrets unsealed (CLI and admin API share it). */
import type { Deps } from '../../app/deps.ts';
import type { RouterRow } from '../adapter.ts';
import { type ScriptInput, setupScript } from '../setup-script.ts';
import { routerTunnelEnd } from '../wireguard/router-end.ts';

export async function routerScript(
  deps: Deps,
  router: RouterRow,
  o: {
    radiusAddress?: string | undefined;
    /** Agent routers: the token (shown once, so the caller has it) and the RouterOS syntax. */
    agent?: ScriptInput['agent'];
  } = {},
): Promise<string> {
  return setupScript({
    router,
    publicUrl: deps.config.publicUrl,
    apiPassword: router.passwordSealed ? deps.sealer.unseal(router.passwordSealed) : undefined,
    radiusSecret: router.radiusSecretSealed ? deps.sealer.unseal(router.radiusSecretSealed) : undefined,
    radiusAddress: o.radiusAddress,
    radiusPorts: { auth: deps.config.radius.authPort || 1812, acct: deps.config.radius.acctPort || 1813 },
    wireguard: await routerTunnelEnd(deps, router),
    agent: o.agent,
    now: deps.clock.now(),
  });
}
