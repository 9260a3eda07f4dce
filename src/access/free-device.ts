/**
 * Take a device off a code so another can use the slot (new phone, a laptop that replaced a
 * phone). Staff do it from the troubleshooter; a customer who proves payment by receipt does it
 * through recovery (recover.ts). Either way the device comes off the routers by a durable job in
 * the same transaction (`gateway.release-device`), and the change is audited.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { type Conn, query } from '../db/open.ts';
import { RELEASE_DEVICE_JOB } from '../gateways/index.ts';
import { AppError } from '../lib/errors.ts';
import { normalizeMac } from '../lib/mac.ts';
import { type Actor, audit } from '../audit/index.ts';

/** Unbind `mac` and queue its release from the routers. False when it was not bound. */
export async function unbindDevice(
  tx: Conn,
  deps: Deps,
  accessCodeId: string,
  mac: string,
): Promise<boolean> {
  const gone = await query(
    tx,
    sql`DELETE FROM access_devices WHERE access_code_id = ${accessCodeId} AND mac = ${mac} RETURNING mac`,
  );
  if (!gone.length) return false;
  // The device comes off the router (its sessions and login cookie) before another logs in: a
  // durable job, in this transaction, that the portal's connect page waits for.
  await deps.enqueue(
    tx,
    RELEASE_DEVICE_JOB,
    { accessCodeId, mac },
    { key: `release:${accessCodeId}:${mac}:${deps.clock.now().getTime()}` },
  );
  return true;
}

export interface FreeDeviceInput {
  accessCodeId: string;
  mac: string;
  actor: Actor;
  ip?: string | null | undefined;
}

export async function freeDeviceSlot(
  deps: Deps,
  input: FreeDeviceInput,
): Promise<{ accessCodeId: string; mac: string; devicesLeft: number }> {
  const mac = normalizeMac(input.mac);
  if (!mac) throw new AppError('validation', 'mac: a device address like AA:BB:CC:DD:EE:FF');
  return deps.db.transaction(async (tx) => {
    const [c] = await query<{ id: string }>(
      tx,
      sql`SELECT id FROM access_codes WHERE id = ${input.accessCodeId} FOR UPDATE`,
    );
    if (!c) throw new AppError('not_found', 'There is no such code.');
    if (!(await unbindDevice(tx, deps, c.id, mac)))
      throw new AppError('not_found', `The device ${mac} is not on this code.`);
    await audit(tx, deps, {
      actor: input.actor,
      action: 'access.free-device',
      entity: 'access_code',
      entityId: c.id,
      detail: { mac },
      ip: input.ip ?? null,
    });
    const [left] = await query<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM access_devices WHERE access_code_id = ${c.id}`,
    );
    return { accessCodeId: c.id, mac, devicesLeft: Number(left?.n ?? 0) };
  });
}
