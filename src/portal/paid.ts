/**
 * A paid customer whose router login failed (the router said "invalid username or password",
 * or never answered) comes back to the portal. The `wavu_paid` cookie (token.ts) says this
 * browser was handed the code; if the code may still be used, the portal shows that they paid,
 * the code and a retry, never the packages. The retry pushes the access to the router again
 * (api mode: a lost or not yet applied hotspot user is the usual cause) and logs in once more.
 */
import { enqueueGrantIfApi } from '../access/index.ts';
import type { Deps } from '../app/deps.ts';
import { loadAccess } from '../gateways/index.ts';
import { openPaid, type PaidMark } from './token.ts';

/** The code this browser paid for, if the cookie is ours, fits this device and the code is live. */
export async function paidHere(
  deps: Deps,
  cookie: string | undefined,
  mac: string | undefined,
): Promise<PaidMark | null> {
  if (!cookie) return null;
  const mark = openPaid(deps.sealer, cookie, deps.clock.now().getTime());
  if (!mark) return null;
  // Another device on the same browser profile is another device: not its code to see.
  if (mark.mac && mac && mark.mac !== mac) return null;
  const { spec } = await loadAccess(deps.db, deps, mark.accessCodeId, deps.clock.now());
  return spec ? mark : null;
}

/**
 * Push the access to this router again before the retry. One grant job per code, router and
 * minute however often the button is pressed (the job key is unique).
 */
export async function pushAgain(deps: Deps, accessCodeId: string, routerId: number | null): Promise<void> {
  const minute = Math.floor(deps.clock.now().getTime() / 60_000);
  await deps.db.transaction((tx) => enqueueGrantIfApi(tx, deps, accessCodeId, routerId, `retry:${minute}`));
}
