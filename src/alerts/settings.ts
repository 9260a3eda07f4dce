/**
 * The alert settings (dashboard: Settings › Alerts): who is told (the owner's phone, a webhook),
 * when to keep quiet, and per alert whether it is on and its threshold. Stored as one JSON setting;
 * the webhook's signing secret is sealed and write-only. Read fresh at every check, so a change
 * takes effect on the next minute's check on every node.
 */
import { z } from 'zod';
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import { normalizePhone } from '../lib/phone.ts';
import { getSecret, getSetting, isSet, putSecret, putSetting } from '../settings/index.ts';

const KEY = 'alerts';
const SECRET_KEY = 'alerts.webhook_secret';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time like 22:00');
const toggle = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean(), ...shape }).strict();

export const alertSettingsSchema = z
  .object({
    phone: z
      .string()
      .trim()
      .max(20)
      .nullable()
      .refine((s) => !s || normalizePhone(s) !== null, 'A Kenyan phone number')
      .transform((s) => (s ? normalizePhone(s) : null)),
    webhookUrl: z
      .string()
      .trim()
      .max(500)
      .nullable()
      .refine((s) => !s || /^https?:\/\/[^\s]+$/.test(s), 'An http:// or https:// URL')
      .transform((s) => s || null),
    /** East Africa time; from > to spans midnight (22:00 → 06:00). */
    quietHours: z.object({ from: hhmm, to: hhmm }).strict().nullable(),
    routerOffline: toggle({ minutes: z.number().int().min(1).max(1440) }),
    noPayments: toggle({
      hours: z.number().int().min(1).max(24),
      /** How many paid purchases the baseline must expect in that window before silence is news. */
      minExpected: z.number().int().min(1).max(1000),
    }),
    mpesaFailing: toggle({
      failures: z.number().int().min(1).max(100),
      minutes: z.number().int().min(1).max(1440),
    }),
    callbacksMissing: toggle({
      pushes: z.number().int().min(1).max(100),
      minutes: z.number().int().min(2).max(1440),
    }),
    deadJobs: toggle({ minutes: z.number().int().min(1).max(1440) }),
    smsFailing: toggle({
      failures: z.number().int().min(1).max(100),
      minutes: z.number().int().min(1).max(1440),
    }),
  })
  .strict();

export type AlertSettings = z.output<typeof alertSettingsSchema>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  phone: null,
  webhookUrl: null,
  quietHours: null,
  routerOffline: { enabled: true, minutes: 10 },
  noPayments: { enabled: true, hours: 2, minExpected: 3 },
  mpesaFailing: { enabled: true, failures: 3, minutes: 15 },
  callbacksMissing: { enabled: true, pushes: 3, minutes: 10 },
  deadJobs: { enabled: true, minutes: 60 },
  smsFailing: { enabled: true, failures: 3, minutes: 30 },
};

export async function loadAlertSettings(deps: Pick<Deps, 'db'>): Promise<AlertSettings> {
  const stored = (await getSetting<Partial<AlertSettings>>(deps.db, KEY)) ?? {};
  return { ...DEFAULT_ALERT_SETTINGS, ...stored };
}

/** The owner's phone from the alert settings: where alerts and the daily reconciliation SMS go. */
export async function ownerPhone(deps: Pick<Deps, 'db'>): Promise<string | null> {
  return (await loadAlertSettings(deps)).phone;
}

export const webhookSecret = (deps: Deps) => getSecret(deps.db, deps.sealer, SECRET_KEY);

export async function readAlertSettings(deps: Deps) {
  return { ...(await loadAlertSettings(deps)), webhookSecretSet: await isSet(deps.db, SECRET_KEY) };
}

export const saveAlertSettingsSchema = alertSettingsSchema.extend({
  /** A new secret, null to clear it, absent to keep it. */
  webhookSecret: z.string().min(8).max(200).nullable().optional(),
});

export async function saveAlertSettings(
  deps: Deps,
  s: z.output<typeof saveAlertSettingsSchema>,
  actor: Actor,
  ip: string | null,
) {
  const { webhookSecret: secret, ...plain } = s;
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await putSetting(tx, now, KEY, plain);
    const changed = await putSecret(tx, deps.sealer, now, SECRET_KEY, secret);
    await audit(tx, deps, {
      actor,
      action: 'settings.alerts',
      entity: 'settings',
      entityId: KEY,
      detail: { ...plain, ...(changed ? { webhookSecret: changed } : {}) },
      ip,
    });
  });
  return readAlertSettings(deps);
}
