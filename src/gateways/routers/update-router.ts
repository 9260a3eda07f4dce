import { eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { isUniqueViolation } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { routerAuditDetail } from './audit-detail.ts';
import { findRouter } from './get-router.ts';
import { type UpdateRouterInput, updateRouterInput } from './input.ts';
import { type RouterView, toView } from './repo.ts';
import type { RouterRow } from './row.ts';

export async function updateRouter(
  deps: Deps,
  ref: string | number,
  raw: UpdateRouterInput,
  by: { actor: Actor; ip?: string | null },
): Promise<RouterView> {
  const input = updateRouterInput.parse(raw);
  const cur = await findRouter(deps, ref);
  const radiusFields = [
    'address',
    'secret',
    'nasIdentifier',
    'coaPort',
    'allowFrom',
    'messageAuth',
    'profile',
    'opnsenseUrl',
    'opnsenseApiKey',
    'opnsenseApiSecret',
    'opnsenseZone',
  ] as const;
  const apiFields = [
    'host',
    'port',
    'transport',
    'username',
    'password',
    'hotspotServer',
    'tlsFingerprint',
  ] as const;
  // An openNDS router takes neither: it is set up by its script.
  const wrongMode = [
    ...(cur.mode !== 'radius' ? radiusFields : []),
    ...(cur.mode !== 'api' ? apiFields : []),
  ].filter((k) => input[k] !== undefined);
  if (wrongMode.length) {
    throw new AppError(
      'validation',
      `${wrongMode.join(', ')} cannot be set on a router in ${cur.mode} mode.`,
    );
  }
  const set: Partial<typeof routers.$inferInsert> = { updatedAt: deps.clock.now() };
  if (input.name !== undefined) set.name = input.name;
  if (input.site !== undefined) set.site = input.site;
  if (input.host !== undefined) set.host = input.host;
  if (input.port !== undefined) set.apiPort = input.port;
  if (input.transport !== undefined) set.apiTransport = input.transport;
  if (input.username !== undefined) set.username = input.username;
  if (input.password !== undefined) set.passwordSealed = deps.sealer.seal(input.password);
  if (input.hotspotServer !== undefined) set.hotspotServer = input.hotspotServer;
  if (input.tlsFingerprint !== undefined) set.tlsFingerprint = input.tlsFingerprint;
  if (input.address !== undefined) set.nasAddress = input.address;
  if (input.secret !== undefined) set.radiusSecretSealed = deps.sealer.seal(input.secret);
  if (input.nasIdentifier !== undefined) set.nasIdentifier = input.nasIdentifier;
  if (input.coaPort !== undefined) set.coaPort = input.coaPort;
  if (input.allowFrom !== undefined) set.radiusAllowFrom = input.allowFrom;
  if (input.messageAuth !== undefined) {
    set.radiusRequireMessageAuth = input.messageAuth === 'required';
    if (input.messageAuth === 'allow-without')
      deps.log.warn(
        { router: cur.name },
        'RADIUS router set to accept Access-Requests without Message-Authenticator (BlastRADIUS risk on that link)',
      );
  }
  if (cur.mode === 'radius') setProfile(deps, cur, input, set);
  if (input.enabled !== undefined) set.enabled = input.enabled;
  try {
    const row = await deps.db.transaction(async (tx) => {
      const [r] = await tx.update(routers).set(set).where(eq(routers.id, cur.id)).returning();
      await audit(tx, deps, {
        actor: by.actor,
        action: 'router.update',
        entity: 'router',
        entityId: cur.id,
        detail: routerAuditDetail(input),
        ip: by.ip,
      });
      return r!;
    });
    await deps.routerConnections.drop(cur.id);
    return toView(row);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError('conflict', 'Another router already has that name or NAS identifier.');
    throw e;
  }
}

/**
 * The profile and OPNsense's API. Leaving the OPNsense profile forgets the API; setting any API
 * field on OPNsense needs the whole of it (given now or kept from before); null clears it.
 */
function setProfile(
  deps: Deps,
  cur: RouterRow,
  input: ReturnType<typeof updateRouterInput.parse>,
  set: Partial<typeof routers.$inferInsert>,
): void {
  const profile = input.profile ?? cur.radiusProfile;
  if (input.profile !== undefined) set.radiusProfile = input.profile;
  const apiGiven =
    input.opnsenseUrl !== undefined ||
    input.opnsenseApiKey !== undefined ||
    input.opnsenseApiSecret !== undefined ||
    input.opnsenseZone !== undefined;
  if (profile !== 'opnsense' && apiGiven)
    throw new AppError('validation', 'opnsenseUrl: is only for profile opnsense');
  // Another profile, or the API taken away: none of its fields stay behind.
  if (profile !== 'opnsense' || input.opnsenseUrl === null) {
    Object.assign(set, {
      opnsenseUrl: null,
      opnsenseZoneId: null,
      opnsenseApiKeySealed: null,
      opnsenseApiSecretSealed: null,
    });
    return;
  }
  if (!apiGiven) return;
  const url = input.opnsenseUrl ?? cur.opnsenseUrl;
  const key =
    input.opnsenseApiKey !== undefined ? deps.sealer.seal(input.opnsenseApiKey) : cur.opnsenseApiKeySealed;
  const secret =
    input.opnsenseApiSecret !== undefined
      ? deps.sealer.seal(input.opnsenseApiSecret)
      : cur.opnsenseApiSecretSealed;
  const missing = [!url && 'opnsenseUrl', !key && 'opnsenseApiKey', !secret && 'opnsenseApiSecret'].filter(
    Boolean,
  );
  if (missing.length)
    throw new AppError(
      'validation',
      `${missing.join(', ')}: is required with the other OPNsense API fields (URL, key and secret come together)`,
    );
  Object.assign(set, {
    opnsenseUrl: url!.replace(/\/$/, ''),
    opnsenseZoneId: input.opnsenseZone ?? cur.opnsenseZoneId ?? 0,
    opnsenseApiKeySealed: key,
    opnsenseApiSecretSealed: secret,
  });
}
