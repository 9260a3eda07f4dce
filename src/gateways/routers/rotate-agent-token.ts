import { eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { routers } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { hashAgentToken, newAgentToken } from '../agent/token.ts';
import { findRouter } from './get-router.ts';

/** A new agent token for the router; the old one stops working at once (401). Returned once. */
export async function rotateAgentToken(deps: Deps, ref: string | number): Promise<string> {
  const r = await findRouter(deps, ref);
  if (r.apiTransport !== 'agent') {
    throw new AppError(
      'validation',
      `Router ${r.name} is not an agent router (transport ${r.apiTransport}).`,
    );
  }
  const token = newAgentToken();
  await deps.db
    .update(routers)
    .set({ agentTokenHash: hashAgentToken(token), updatedAt: deps.clock.now() })
    .where(eq(routers.id, r.id));
  return token;
}
