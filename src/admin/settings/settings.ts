/**
 * The Settings page's use cases: branding, the M-Pesa account and the SMS provider (PPPoE's are
 * in ppp-settings.ts). Storage and
 * the precedence rule (environment, then dashboard, then default) live in src/settings; here is
 * what the dashboard may see and change. Secrets are write-only: the API says whether one is
 * stored, never what it is. A field set by an environment variable is `locked`: the page shows
 * it read-only, and a save that tries to change it is refused naming the field and the variable.
 */
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import type { Conn } from '../../db/open.ts';
import { DEFAULT_BRANDING } from '../../branding/index.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { type Actor, audit } from '../../audit/index.ts';
import {
  bumpSettingsVersion,
  getSecret as readSecret,
  getSetting,
  isSet,
  MPESA_ENV,
  MPESA_FIELDS,
  MPESA_SECRETS,
  type MpesaField,
  putSecret,
  putSetting,
  SMS_ENV,
  SMS_FIELDS,
  SMS_SECRETS,
  type SmsField,
  secretKey,
} from '../../settings/index.ts';
import { mpesaMissing } from '../../payments/index.ts';
import { readPppSettings } from './ppp-settings.ts';

export { getSetting };

/** A sealed setting in clear (tests and features that use it; never the admin API). */
export const getSecret = (conn: Conn, deps: Deps, key: string) => readSecret(conn, deps.sealer, key);

export const brandingSchema = z.object({
  name: z.string().trim().min(1).max(60),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #0a7d4f'),
  supportPhone: z
    .string()
    .trim()
    .max(20)
    .refine((s) => s === '' || normalizePhone(s) !== null, 'A Kenyan phone number')
    .default(''),
});

/** A secret field: a new value, null to clear it, or absent to keep what is stored. */
const secret = z.string().min(1).max(500).nullable().optional();
/** A plain field: a value, null (or empty) to clear it, absent to keep what is stored. */
const plain = (s: z.ZodString) =>
  z
    .union([s, z.literal('')])
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

export const mpesaSchema = z
  .object({
    environment: z.enum(['sandbox', 'production']).optional(),
    shortcode: plain(z.string().regex(/^\d{5,7}$/, '5 to 7 digits')),
    type: z.enum(['paybill', 'till']).optional(),
    till: plain(z.string().regex(/^\d{5,8}$/, '5 to 8 digits')),
    consumerKey: plain(z.string().trim().min(1).max(200)),
    consumerSecret: secret,
    passkey: secret,
    initiatorName: plain(
      z
        .string()
        .trim()
        .min(1)
        .max(60)
        .regex(/^[A-Za-z0-9_.-]+$/, 'Letters, digits, dot, dash or underscore'),
    ),
    initiatorPassword: secret,
  })
  .strict();

export const smsSchema = z
  .object({
    /** `sim` is the demo's inbox; refused in production. */
    provider: z.enum(['africastalking', 'sim', 'none']).optional(),
    username: plain(z.string().trim().min(1).max(100)),
    senderId: plain(
      z
        .string()
        .trim()
        .min(1)
        .max(11)
        .regex(/^[A-Za-z0-9 ]+$/, 'Up to 11 letters or digits'),
    ),
    apiKey: secret,
  })
  .strict();

function lockedFields<F extends string>(env: Partial<Record<F, string>>, fields: readonly F[]): F[] {
  return fields.filter((f) => env[f] !== undefined);
}

export async function readSettings(deps: Deps) {
  const db = deps.db;
  const m = await deps.settings.mpesa();
  const s = await deps.settings.sms();
  const mpesaLocked = lockedFields(deps.config.mpesa.env, MPESA_FIELDS);
  const smsLocked = lockedFields(deps.config.sms.env, SMS_FIELDS);
  const envName = <F extends string>(map: Record<F, string>, locked: F[]) =>
    Object.fromEntries(locked.map((f) => [f, map[f]])) as Partial<Record<F, string>>;
  return {
    branding: {
      name: DEFAULT_BRANDING.name,
      color: DEFAULT_BRANDING.color,
      supportPhone: '', // the form's empty field, not null
      ...((await getSetting<object>(db, 'branding')) ?? {}),
    },
    mpesa: {
      environment: m.environment,
      shortcode: m.shortcode,
      type: m.type,
      till: m.till,
      consumerKey: m.consumerKey || null,
      initiatorName: m.initiatorName || null,
      consumerSecretSet: await isSet(db, 'mpesa.consumer_secret'),
      passkeySet: await isSet(db, 'mpesa.passkey'),
      initiatorPasswordSet: await isSet(db, 'mpesa.initiator_password'),
      /** Where each value in force comes from. */
      sources: m.source,
      /** Set by an environment variable: read-only here. */
      locked: mpesaLocked,
      lockedBy: envName(MPESA_ENV, mpesaLocked),
      /** The first credential an STK push still lacks, or null when it can push. */
      missing: mpesaMissing(m),
      unreadable: m.unreadable,
    },
    sms: {
      provider: s.provider,
      username: s.username || null,
      senderId: s.senderId || null,
      apiKeySet: await isSet(db, 'sms.api_key'),
      sources: s.source,
      locked: smsLocked,
      lockedBy: envName(SMS_ENV, smsLocked),
      unreadable: s.unreadable,
    },
    ppp: await readPppSettings(deps),
  };
}

/** A change to a field the environment sets is refused: it would silently have no effect. */
function refuseLocked<F extends string>(
  env: Partial<Record<F, string>>,
  envNames: Record<F, string>,
  input: Partial<Record<F, unknown>>,
  secrets: readonly string[],
) {
  for (const f of Object.keys(input) as F[]) {
    const v = input[f];
    if (v === undefined || env[f] === undefined) continue;
    if (!secrets.includes(f) && v === env[f]) continue; // the form sent back what it showed
    throw new AppError('validation', `${f}: set by the environment (${envNames[f]}); change it there`);
  }
}

async function saveGroup<F extends string>(
  deps: Deps,
  group: 'mpesa' | 'sms',
  input: Partial<Record<F, string | null | undefined>>,
  secrets: readonly string[],
  actor: Actor,
  ip: string | null,
) {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const stored = (await getSetting<Record<string, unknown>>(tx, group)) ?? {};
    const next: Record<string, unknown> = { ...stored };
    const detail: Record<string, unknown> = {};
    for (const [f, v] of Object.entries(input) as [F, string | null | undefined][]) {
      if (v === undefined) continue;
      if (secrets.includes(f)) {
        const what = await putSecret(tx, deps.sealer, now, secretKey(group, f), v);
        if (what) detail[f] = what;
      } else {
        if (v === null) delete next[f];
        else next[f] = v;
        detail[f] = v;
      }
    }
    await putSetting(tx, now, group, next);
    // Same transaction: every node's next read sees the new number and these values together.
    await bumpSettingsVersion(tx);
    await audit(tx, deps, {
      actor,
      action: `settings.${group}`,
      entity: 'settings',
      entityId: group,
      detail,
      ip,
    });
  });
}

export async function saveBranding(
  deps: Deps,
  b: z.output<typeof brandingSchema>,
  actor: Actor,
  ip: string | null,
) {
  await deps.db.transaction(async (tx) => {
    await putSetting(tx, deps.clock.now(), 'branding', b);
    await audit(tx, deps, {
      actor,
      action: 'settings.branding',
      entity: 'settings',
      entityId: 'branding',
      detail: b,
      ip,
    });
  });
}

export async function saveMpesa(
  deps: Deps,
  m: z.output<typeof mpesaSchema>,
  actor: Actor,
  ip: string | null,
) {
  refuseLocked<MpesaField>(deps.config.mpesa.env, MPESA_ENV, m, MPESA_SECRETS);
  // A Till needs its number, whichever source the type and the number come from.
  const cur = await deps.settings.mpesa();
  const type = m.type ?? cur.type;
  const till = m.till === undefined ? cur.till : m.till;
  if (type === 'till' && !till)
    throw new AppError('validation', 'till: the Till number is required for a Buy Goods account');
  await saveGroup<MpesaField>(deps, 'mpesa', m, MPESA_SECRETS, actor, ip);
}

export async function saveSms(deps: Deps, m: z.output<typeof smsSchema>, actor: Actor, ip: string | null) {
  refuseLocked<SmsField>(deps.config.sms.env, SMS_ENV, m, SMS_SECRETS);
  if (m.provider === 'sim' && !deps.config.demo)
    throw new AppError('validation', 'provider: the SMS simulator exists only in demo mode');
  await saveGroup<SmsField>(deps, 'sms', m, SMS_SECRETS, actor, ip);
}
