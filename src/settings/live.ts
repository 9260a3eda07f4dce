/**
 * The M-Pesa and SMS settings in force, as every request and job sees them. Each node keeps a
 * copy with the `settings_version` it was read at and compares that one-row counter before each
 * use, so a save on any node is seen by the very next request everywhere, with no restart, no
 * TTL to wait out and nothing that could miss a NOTIFY while a connection was down.
 */
import type { Config } from '../config.ts';
import type { Conn } from '../db/open.ts';
import type { Sealer } from '../lib/seal.ts';
import { type EffectiveMpesa, type EffectiveSms, effectiveMpesa, effectiveSms } from './effective.ts';
import { readGroup, settingsVersion } from './store.ts';

export interface LiveSettings {
  mpesa(): Promise<EffectiveMpesa>;
  sms(): Promise<EffectiveSms>;
}

export function createLiveSettings(o: { db: Conn; sealer: Sealer; config: Config }): LiveSettings {
  let mpesa: { version: number; value: EffectiveMpesa } | null = null;
  let sms: { version: number; value: EffectiveSms } | null = null;
  return {
    async mpesa() {
      // The version is read first: a save landing in between is then read with an older number,
      // and simply read again next time. Never the other way round (new number, old values).
      const v = await settingsVersion(o.db);
      if (mpesa?.version === v) return mpesa.value;
      const value = effectiveMpesa(o.config, await readGroup(o.db, o.sealer, 'mpesa'));
      mpesa = { version: v, value };
      return value;
    },
    async sms() {
      const v = await settingsVersion(o.db);
      if (sms?.version === v) return sms.value;
      const value = effectiveSms(o.config, await readGroup(o.db, o.sealer, 'sms'));
      sms = { version: v, value };
      return value;
    },
  };
}
