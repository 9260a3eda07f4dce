/** The openNDS router a request names (by id in the FAS path), with its faskey unsealed. */
import { eq } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { routers } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import type { RouterRow } from '../adapter.ts';

export interface OpenNdsRouter {
  row: RouterRow;
  level: 1 | 3;
  faskey: string;
  gatewayName: string;
  gatewayHash: string;
}

export async function openndsRouter(deps: Deps, id: string | number): Promise<OpenNdsRouter> {
  const n = typeof id === 'number' ? id : /^\d{1,9}$/.test(id) ? Number(id) : -1;
  const [r] = n > 0 ? await deps.db.select().from(routers).where(eq(routers.id, n)) : [];
  if (r?.mode !== 'opennds' || !r.enabled || !r.openndsFaskeySealed) {
    throw new AppError('not_found', 'No openNDS router here.');
  }
  return {
    row: r,
    level: r.openndsLevel === 1 ? 1 : 3,
    faskey: deps.sealer.unseal(r.openndsFaskeySealed),
    gatewayName: r.openndsGatewayName ?? '',
    gatewayHash: r.openndsGatewayHash ?? '',
  };
}
