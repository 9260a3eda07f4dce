/**
 * Does the router itself see this device (MAC) at this address? The portal's proof that a
 * request speaks for a real device, since everything a browser sends (MAC, IP, even the CHAP
 * challenge) can be typed by anyone:
 * - api mode: the router's hotspot host table, learnt from the device's own frames;
 * - radius mode: a session the router's signed accounting reports open for that MAC and IP.
 * A router that cannot be asked (down, refused, disabled, unknown) proves nothing.
 */
import type { Deps } from '../app/deps.ts';
import { isAppError } from '../lib/errors.ts';
import { RosConnectionError, RosLoginError, RosTrapError } from '../protocols/routeros/errors.ts';
import { adapterFor } from './modes.ts';
import { routerById } from './routers/repo.ts';

/** `unseen`: not proven. `offline`: on the hotspot, not logged in. `online`: logged in. */
export type DevicePresence = 'unseen' | 'offline' | 'online';

export async function deviceOnRouter(
  deps: Deps,
  o: { routerId: number; mac: string; ip: string },
): Promise<DevicePresence> {
  const router = await routerById(deps.db, o.routerId);
  if (!router?.enabled) return 'unseen';
  const mac = o.mac.toUpperCase();
  try {
    const adapter = adapterFor(deps, router);
    if (adapter.findDevice) {
      const d = await adapter.findDevice(mac);
      if (!d || d.ip !== o.ip) return 'unseen';
      return d.loggedIn ? 'online' : 'offline';
    }
    const live = await adapter.listActive();
    return live.some((s) => s.mac?.toUpperCase() === mac && s.ip === o.ip) ? 'online' : 'unseen';
  } catch (e) {
    const unreachable =
      e instanceof RosConnectionError ||
      e instanceof RosLoginError ||
      e instanceof RosTrapError ||
      isAppError(e);
    if (!unreachable) throw e;
    deps.log.info({ routerId: o.routerId, err: (e as Error).message }, 'router could not confirm a device');
    return 'unseen';
  }
}
