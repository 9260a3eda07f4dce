/**
 * The portal's login for an openNDS client, once the access feature has said yes to the code:
 * record what openNDS is to be told and where the browser goes next. Level 3: authmon collects
 * the authorisation on its next poll (the browser waits on a page that checks). Level 1: the
 * browser itself takes `tok = sha256(hid + faskey)` to the gateway's auth address.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { AppError } from '../../lib/errors.ts';
import type { AccessSpec } from '../adapter.ts';
import { markGranted, requestGrant } from '../grants.ts';
import { type ClientRow, clientByToken, wantAuth } from './clients.ts';
import { wantedAuth } from './adapter.ts';
import { openndsRouter } from './router.ts';

export async function openndsClient(deps: Deps, token: string): Promise<ClientRow & { routerName: string }> {
  const c = await clientByToken(deps.db, token);
  if (!c) throw new AppError('not_found', 'This login has expired. Reconnect to the WiFi and try again.');
  const r = await openndsRouter(deps, Number(c.router_id));
  return { ...c, routerName: r.row.name };
}

export type OpenNdsLoginResult = { level: 3 } | { level: 1; redirect: string };

export async function openndsLogin(
  deps: Deps,
  token: string,
  access: Pick<AccessSpec, 'accessCodeId' | 'secondsLeft' | 'bytesLeft' | 'rateUpKbps' | 'rateDownKbps'>,
  redir: string | null,
): Promise<OpenNdsLoginResult> {
  const c = await openndsClient(deps, token);
  const r = await openndsRouter(deps, Number(c.router_id));
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await wantAuth(tx, token, access.accessCodeId, wantedAuth(access), now);
    // Recorded as a grant on this router, so a revoke or expiry finds it before any report.
    await requestGrant(tx, access.accessCodeId, r.row.id, now, { attempt: false });
    if (r.level === 1) {
      // The browser carries the token; openNDS's own report confirms the session.
      await tx.execute(sql`UPDATE opennds_clients SET state = 'authed' WHERE token = ${token}`);
      await markGranted(tx, [access.accessCodeId], r.row.id, now);
    }
  });
  if (r.level === 3) return { level: 3 };
  if (!c.gateway_address) throw new AppError('unavailable', 'The WiFi did not say where to log in.');
  const q = new URLSearchParams({
    tok: c.rhid,
    redir: redir ?? c.origin_url ?? `http://${c.gateway_address}/`,
  });
  return { level: 1, redirect: `http://${c.gateway_address}/opennds_auth/?${q.toString()}` };
}

/** Level 3: has authmon picked the authorisation up (or has it been turned down since)? */
export async function openndsLoginState(deps: Deps, token: string): Promise<ClientRow['state']> {
  const c = await clientByToken(deps.db, token);
  if (!c) throw new AppError('not_found', 'This login has expired. Reconnect to the WiFi and try again.');
  return c.state;
}
