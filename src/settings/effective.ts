/**
 * Which value of each M-Pesa and SMS setting is in force. One rule for every field: an
 * environment variable that is set wins (and the dashboard shows the field read-only, "set by the
 * environment"); otherwise the value saved in the dashboard; otherwise the default (the demo's
 * simulator credentials in demo mode, nothing in production).
 */
import type { Config } from '../config.ts';

export type Source = 'environment' | 'dashboard' | 'default';

export const MPESA_FIELDS = [
  'environment',
  'shortcode',
  'type',
  'till',
  'consumerKey',
  'consumerSecret',
  'passkey',
  'initiatorName',
  'initiatorPassword',
] as const;
export type MpesaField = (typeof MPESA_FIELDS)[number];
/** Write-only fields, stored sealed under `mpesa.<name>`. */
export const MPESA_SECRETS = ['consumerSecret', 'passkey', 'initiatorPassword'] as const;
/** The environment variable behind each field (documented in the README's table). */
export const MPESA_ENV: Record<MpesaField, string> = {
  environment: 'MPESA_ENVIRONMENT',
  shortcode: 'MPESA_SHORTCODE',
  type: 'MPESA_TYPE',
  till: 'MPESA_TILL',
  consumerKey: 'MPESA_CONSUMER_KEY',
  consumerSecret: 'MPESA_CONSUMER_SECRET',
  passkey: 'MPESA_PASSKEY',
  initiatorName: 'MPESA_INITIATOR_NAME',
  initiatorPassword: 'MPESA_INITIATOR_PASSWORD',
};

export const SMS_FIELDS = ['provider', 'username', 'senderId', 'apiKey'] as const;
export type SmsField = (typeof SMS_FIELDS)[number];
export const SMS_SECRETS = ['apiKey'] as const;
export const SMS_ENV: Record<SmsField, string> = {
  provider: 'SMS_PROVIDER',
  username: 'AT_USERNAME',
  senderId: 'AT_SENDER_ID',
  apiKey: 'AT_API_KEY',
};

/** The storage key of a sealed field (kept from before: `mpesa.consumer_secret`, `sms.api_key`). */
export const secretKey = (group: 'mpesa' | 'sms', field: string) =>
  `${group}.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

export interface EffectiveMpesa {
  environment: 'sandbox' | 'production';
  shortcode: string;
  type: 'paybill' | 'till';
  till: string | null;
  consumerKey: string;
  consumerSecret: string;
  passkey: string;
  initiatorName: string;
  initiatorPassword: string;
  source: Record<MpesaField, Source>;
  /** Sealed rows that no longer open (SECRET_KEY changed): they count as unset. */
  unreadable: string[];
}

export interface EffectiveSms {
  provider: 'sim' | 'africastalking' | 'none';
  username: string;
  senderId: string;
  apiKey: string;
  baseUrl: string;
  source: Record<SmsField, Source>;
  unreadable: string[];
}

interface Stored {
  plain: Record<string, unknown>;
  secrets: Record<string, string>;
  broken: string[];
}

function pick<F extends string>(
  fields: readonly F[],
  secrets: readonly string[],
  env: Partial<Record<F, string>>,
  stored: Stored,
  defaults: Partial<Record<F, string>>,
  group: 'mpesa' | 'sms',
): { values: Record<F, string>; source: Record<F, Source> } {
  const values = {} as Record<F, string>;
  const source = {} as Record<F, Source>;
  for (const f of fields) {
    const fromStore = (secrets as readonly string[]).includes(f)
      ? stored.secrets[secretKey(group, f).slice(group.length + 1)]
      : stored.plain[f];
    if (env[f] !== undefined && env[f] !== '') {
      values[f] = env[f]!;
      source[f] = 'environment';
    } else if (fromStore !== undefined && fromStore !== null && fromStore !== '') {
      values[f] = String(fromStore);
      source[f] = 'dashboard';
    } else {
      values[f] = defaults[f] ?? '';
      source[f] = 'default';
    }
  }
  return { values, source };
}

export function effectiveMpesa(config: Config, stored: Stored): EffectiveMpesa {
  const { values, source } = pick(
    MPESA_FIELDS,
    MPESA_SECRETS,
    config.mpesa.env,
    stored,
    config.mpesa.defaults,
    'mpesa',
  );
  return {
    environment: values.environment === 'production' ? 'production' : 'sandbox',
    shortcode: values.shortcode,
    type: values.type === 'till' ? 'till' : 'paybill',
    till: values.till || null,
    consumerKey: values.consumerKey,
    consumerSecret: values.consumerSecret,
    passkey: values.passkey,
    initiatorName: values.initiatorName,
    initiatorPassword: values.initiatorPassword,
    source,
    unreadable: stored.broken,
  };
}

export function effectiveSms(config: Config, stored: Stored): EffectiveSms {
  const { values, source } = pick(
    SMS_FIELDS,
    SMS_SECRETS,
    config.sms.env,
    stored,
    config.sms.defaults,
    'sms',
  );
  const provider = values.provider;
  return {
    // `sim` is never offered in production (config refuses SMS_PROVIDER=sim there).
    provider: provider === 'africastalking' || provider === 'sim' ? provider : 'none',
    username: values.username,
    senderId: values.senderId,
    apiKey: values.apiKey,
    baseUrl: config.sms.atBaseUrl,
    source,
    unreadable: stored.broken,
  };
}
