/**
 * The PPPoE settings on the Settings page: the expired pool's name (the Framed-Pool of an overdue
 * subscriber's Accept, and the `/ppp profile` api-mode routers move them to), the interim
 * accounting interval the Accept asks for, and how many days before the due date the reminder SMS
 * goes. Each is its own `settings` row, read where it is used; clearing one (null) puts the
 * default back.
 */
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { DEFAULT_EXPIRED_POOL, EXPIRED_POOL_SETTING } from '../../gateways/index.ts';
import { getSetting, putSetting } from '../../settings/index.ts';
import {
  DEFAULT_INTERIM_SECONDS,
  DEFAULT_REMIND_DAYS,
  INTERIM_SETTING,
  REMIND_DAYS_SETTING,
} from '../../subscribers/index.ts';
import { sql } from 'drizzle-orm';

/** Bounds the readers accept (remind-due.ts takes 0–30); RouterOS names: no spaces or quotes. */
export const pppSettingsSchema = z
  .object({
    expiredPool: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
        'A RouterOS pool name: letters, digits, dot, dash, underscore',
      )
      .nullable()
      .optional(),
    interimSeconds: z.number().int().min(60).max(86_400).nullable().optional(),
    remindDays: z.number().int().min(0).max(30).nullable().optional(),
  })
  .strict();

const KEYS = {
  expiredPool: EXPIRED_POOL_SETTING,
  interimSeconds: INTERIM_SETTING,
  remindDays: REMIND_DAYS_SETTING,
} as const;

export async function readPppSettings(deps: Pick<Deps, 'db'>) {
  const num = (v: unknown) => (typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : null);
  const pool = await getSetting<unknown>(deps.db, EXPIRED_POOL_SETTING);
  return {
    expiredPool: typeof pool === 'string' && pool ? pool : DEFAULT_EXPIRED_POOL,
    interimSeconds: num(await getSetting<unknown>(deps.db, INTERIM_SETTING)) ?? DEFAULT_INTERIM_SECONDS,
    remindDays: num(await getSetting<unknown>(deps.db, REMIND_DAYS_SETTING)) ?? DEFAULT_REMIND_DAYS,
    defaults: {
      expiredPool: DEFAULT_EXPIRED_POOL,
      interimSeconds: DEFAULT_INTERIM_SECONDS,
      remindDays: DEFAULT_REMIND_DAYS,
    },
  };
}

export async function savePppSettings(
  deps: Deps,
  input: z.output<typeof pppSettingsSchema>,
  actor: Actor,
  ip: string | null,
) {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const detail: Record<string, unknown> = {};
    for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
      const v = input[field];
      if (v === undefined) continue;
      if (v === null) await tx.execute(sql`DELETE FROM settings WHERE key = ${key}`);
      else await putSetting(tx, now, key, v);
      detail[field] = v;
    }
    await audit(tx, deps, { actor, action: 'settings.ppp', entity: 'settings', entityId: 'ppp', detail, ip });
  });
}
