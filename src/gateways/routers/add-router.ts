import { isUniqueViolation } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { AppError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/random.ts';
import { gatewayHash } from '../../protocols/opennds/index.ts';
import { routerAuditDetail } from './audit-detail.ts';
import { hashAgentToken, newAgentToken } from '../agent/token.ts';
import { type AddRouterInput, addRouterInput, defaultTransport } from './input.ts';
import { newTunnelEnd, TUNNEL_ADDRESS_TAKEN } from '../wireguard/tunnel.ts';
import { type RouterView, toView } from './repo.ts';

export interface AddRouterResult {
  router: RouterView;
  /** Secrets Wavu made up because none was given: shown once (the setup script carries them too). */
  generated: { password?: string; secret?: string; agentToken?: string; faskey?: string };
}

/** Strong, RouterOS-safe (no quotes, `$` or `\` to escape in scripts): 32 base64url characters. */
export const generateSecret = () => randomToken(24);

/** Adds the router and its audit row in one transaction (secrets are named, never recorded). */
export async function addRouter(
  deps: Deps,
  raw: AddRouterInput,
  by: { actor: Actor; ip?: string | null },
): Promise<AddRouterResult> {
  const input = addRouterInput.parse(raw);
  const now = deps.clock.now();
  const generated: AddRouterResult['generated'] = {};
  let values: typeof routers.$inferInsert;
  if (input.mode === 'api' && input.transport === 'agent') {
    // Shown once; only its hash is kept. `wavu routers script NAME --rotate-token` makes a new one.
    const token = newAgentToken();
    generated.agentToken = token;
    values = {
      name: input.name,
      mode: 'api',
      site: input.site ?? null,
      apiTransport: 'agent',
      hotspotServer: input.hotspotServer ?? null,
      agentTokenHash: hashAgentToken(token),
    };
  } else if (input.mode === 'api') {
    const password = input.password ?? generateSecret();
    if (!input.password) generated.password = password;
    values = {
      name: input.name,
      mode: 'api',
      site: input.site ?? null,
      host: input.host ?? null,
      apiPort: input.port ?? null,
      apiTransport: input.transport ?? defaultTransport(input),
      username: input.username,
      passwordSealed: deps.sealer.seal(password),
      hotspotServer: input.hotspotServer ?? null,
      tlsFingerprint: input.tlsFingerprint ?? null,
    };
  } else if (input.mode === 'opennds') {
    const faskey = input.faskey ?? generateSecret();
    if (!input.faskey) generated.faskey = faskey;
    // The random part makes sha256(gatewayname), authmon's only credential, unguessable.
    const gatewayName = `${input.name}-${randomToken(12).replace(/[^A-Za-z0-9]/g, 'x')}`;
    values = {
      name: input.name,
      mode: 'opennds',
      site: input.site ?? null,
      openndsLevel: input.level,
      openndsFaskeySealed: deps.sealer.seal(faskey),
      openndsGatewayName: gatewayName,
      openndsGatewayHash: gatewayHash(gatewayName),
    };
  } else if (input.mode === 'unifi') {
    values = {
      name: input.name,
      mode: 'unifi',
      site: input.site ?? null,
      unifiUrl: input.controller.replace(/\/$/, ''),
      unifiSite: input.unifiSite,
      unifiApi: input.api,
      unifiApiKeySealed: input.apiKey ? deps.sealer.seal(input.apiKey) : null,
      username: input.api === 'integration' ? null : (input.username ?? null),
      passwordSealed: input.api !== 'integration' && input.password ? deps.sealer.seal(input.password) : null,
      tlsFingerprint: input.tlsFingerprint ?? null,
    };
  } else {
    const secret = input.secret ?? generateSecret();
    if (!input.secret) generated.secret = secret;
    values = {
      name: input.name,
      mode: 'radius',
      site: input.site ?? null,
      nasAddress: input.address,
      radiusSecretSealed: deps.sealer.seal(secret),
      nasIdentifier: input.nasIdentifier ?? input.name,
      coaPort: input.coaPort ?? 3799,
      radiusAllowFrom: input.allowFrom ?? null,
      radiusRequireMessageAuth: input.messageAuth !== 'allow-without',
      radiusProfile: input.profile ?? 'mikrotik',
      ...(input.opnsenseUrl && input.opnsenseApiKey && input.opnsenseApiSecret
        ? {
            opnsenseUrl: input.opnsenseUrl.replace(/\/$/, ''),
            opnsenseZoneId: input.opnsenseZone ?? 0,
            opnsenseApiKeySealed: deps.sealer.seal(input.opnsenseApiKey),
            opnsenseApiSecretSealed: deps.sealer.seal(input.opnsenseApiSecret),
          }
        : {}),
    };
    if (input.messageAuth === 'allow-without')
      deps.log.warn(
        { router: input.name },
        'RADIUS router added accepting Access-Requests without Message-Authenticator (BlastRADIUS risk on that link)',
      );
  }
  const tunnelled = input.mode === 'api' && input.tunnel === 'wireguard';
  // A router added at the same moment may take the address chosen here: choose again (each
  // round sees one more address taken, so this ends, at the latest when the pool is full).
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await deps.db.transaction(async (tx) => {
        const tunnel = tunnelled ? await newTunnelEnd(deps, tx) : {};
        const [r] = await tx
          .insert(routers)
          .values({ ...values, ...tunnel, createdAt: now, updatedAt: now })
          .returning();
        await audit(tx, deps, {
          actor: by.actor,
          action: 'router.create',
          entity: 'router',
          entityId: r!.id,
          detail: routerAuditDetail(input),
          ip: by.ip,
        });
        return r!;
      });
      return { router: toView(row), generated };
    } catch (e) {
      if (tunnelled && attempt < MAX_ADDRESS_RACES && isUniqueViolation(e, TUNNEL_ADDRESS_TAKEN)) continue;
      throw conflict(e, input.name, values.nasIdentifier);
    }
  }
}

/** A generous bound on lost races for an address; only a storm of concurrent adds gets near it. */
const MAX_ADDRESS_RACES = 100;

function conflict(e: unknown, name: string, nasIdentifier: string | null | undefined): unknown {
  if (isUniqueViolation(e, 'routers_nas_identifier_key')) {
    return new AppError('conflict', `Another router already uses the NAS identifier "${nasIdentifier}".`);
  }
  if (isUniqueViolation(e) && !isUniqueViolation(e, TUNNEL_ADDRESS_TAKEN))
    return new AppError('conflict', `A router named "${name}" already exists.`);
  return e;
}
