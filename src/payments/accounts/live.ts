/**
 * The payment accounts in force, as every request and job sees them. The default account is the
 * M-Pesa settings (environment, then dashboard, then default: src/settings); every other account
 * is its own row. Like the settings, each node keeps one copy tagged with `settings_version`,
 * which every account write bumps on its own transaction, so a change is seen by the next request
 * on every node.
 */
import { sql } from 'drizzle-orm';
import { asDate, type Conn, query } from '../../db/open.ts';
import type { Sealer } from '../../lib/seal.ts';
import { AppError } from '../../lib/errors.ts';
import { type EffectiveMpesa, type LiveSettings, settingsVersion } from '../../settings/index.ts';

export interface AccountSettings extends EffectiveMpesa {
  accountId: number;
  name: string;
  isDefault: boolean;
  /** The shortcode registered for Pull Transactions, if any. */
  pullShortcode: string | null;
  testedAt: Date | null;
}

export interface LiveAccounts {
  /** One account; `null`, or an id that no longer exists, is the default account. */
  get(id: number | null): Promise<AccountSettings>;
  all(): Promise<AccountSettings[]>;
}

/** The number that receives the money: the till for Buy Goods, else the Paybill. */
export const receivingShortcode = (m: Pick<EffectiveMpesa, 'type' | 'till' | 'shortcode'>) =>
  m.type === 'till' && m.till ? m.till : m.shortcode;

interface Row {
  id: number;
  name: string;
  is_default: boolean;
  type: 'paybill' | 'till' | null;
  shortcode: string | null;
  till: string | null;
  environment: 'sandbox' | 'production' | null;
  consumer_key: string | null;
  consumer_secret_sealed: string | null;
  passkey_sealed: string | null;
  initiator_name: string | null;
  initiator_password_sealed: string | null;
  pull_shortcode: string | null;
  tested_at: unknown;
}

const DASHBOARD = 'dashboard' as const;

function fromRow(r: Row, sealer: Sealer): AccountSettings {
  const unreadable: string[] = [];
  const open = (v: string | null, name: string) => {
    if (!v) return '';
    try {
      return sealer.unseal(v);
    } catch {
      unreadable.push(name); // sealed under another SECRET_KEY: counts as unset, and is said so
      return '';
    }
  };
  return {
    accountId: r.id,
    name: r.name,
    isDefault: false,
    pullShortcode: r.pull_shortcode,
    testedAt: r.tested_at ? asDate(r.tested_at) : null,
    environment: r.environment ?? 'sandbox',
    shortcode: r.shortcode ?? '',
    type: r.type ?? 'paybill',
    till: r.till,
    consumerKey: r.consumer_key ?? '',
    consumerSecret: open(r.consumer_secret_sealed, 'consumerSecret'),
    passkey: open(r.passkey_sealed, 'passkey'),
    initiatorName: r.initiator_name ?? '',
    initiatorPassword: open(r.initiator_password_sealed, 'initiatorPassword'),
    source: {
      environment: DASHBOARD,
      shortcode: DASHBOARD,
      type: DASHBOARD,
      till: DASHBOARD,
      consumerKey: DASHBOARD,
      consumerSecret: DASHBOARD,
      passkey: DASHBOARD,
      initiatorName: DASHBOARD,
      initiatorPassword: DASHBOARD,
    },
    unreadable,
  };
}

export function createLiveAccounts(o: { db: Conn; sealer: Sealer; settings: LiveSettings }): LiveAccounts {
  let cache: { version: number; rows: Row[] } | null = null;
  async function rows(): Promise<Row[]> {
    // Version first, as in settings/live.ts: a save in between is read again next time.
    const v = await settingsVersion(o.db);
    if (cache?.version === v) return cache.rows;
    const r = await query<Row>(o.db, sql`SELECT * FROM payment_accounts ORDER BY is_default DESC, id`);
    cache = { version: v, rows: r };
    return r;
  }
  async function build(r: Row): Promise<AccountSettings> {
    if (!r.is_default) return fromRow(r, o.sealer);
    return {
      ...(await o.settings.mpesa()),
      accountId: r.id,
      name: r.name,
      isDefault: true,
      pullShortcode: r.pull_shortcode,
      testedAt: r.tested_at ? asDate(r.tested_at) : null,
    };
  }
  return {
    async get(id) {
      const all = await rows();
      const r = all.find((a) => a.id === id) ?? all.find((a) => a.is_default)!;
      return build(r);
    },
    async all() {
      return Promise.all((await rows()).map(build));
    },
  };
}

/** An account by id for a staff action on it: an unknown id is "not found", not the default. */
export async function accountOrDefault(accounts: LiveAccounts, id: number | null): Promise<AccountSettings> {
  const a = await accounts.get(id);
  if (id !== null && a.accountId !== id) throw new AppError('not_found', 'No such payment account.');
  return a;
}
