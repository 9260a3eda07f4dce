import { isUniqueViolation } from '../../db/open.ts';
import { routers } from '../../db/schema.ts';
import type { Deps } from '../../app/deps.ts';
import { AppError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/random.ts';
import { hashAgentToken, newAgentToken } from '../agent/token.ts';
import { type AddRouterInput, addRouterInput } from './input.ts';
import { type RouterView, toView } from './repo.ts';

export interface AddRouterResult {
  router: RouterView;
  /** Secrets Wavu made up because none was given: shown once (the setup script carries them too). */
  generated: { password?: string; secret?: string; agentToken?: string };
}

/** Strong, RouterOS-safe (no quotes, `$` or `\` to escape in scripts): 32 base64url characters. */
export const generateSecret = () => randomToken(24);

export async function addRouter(deps: Deps, raw: AddRouterInput): Promise<AddRouterResult> {
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
      apiTransport: input.transport,
      username: input.username,
      passwordSealed: deps.sealer.seal(password),
      hotspotServer: input.hotspotServer ?? null,
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
    };
  }
  try {
    const [row] = await deps.db
      .insert(routers)
      .values({ ...values, createdAt: now, updatedAt: now })
      .returning();
    return { router: toView(row!), generated };
  } catch (e) {
    if (isUniqueViolation(e, 'routers_nas_identifier_key')) {
      throw new AppError(
        'conflict',
        `Another router already uses the NAS identifier "${values.nasIdentifier}".`,
      );
    }
    if (isUniqueViolation(e))
      throw new AppError('conflict', `A router named "${input.name}" already exists.`);
    throw e;
  }
}
