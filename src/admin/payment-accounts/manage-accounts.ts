/**
 * The Payment accounts page: several M-Pesa Paybills or Tills, each assigned to routers or sites.
 * The default account's credentials are the M-Pesa settings (Settings → M-Pesa, with their
 * environment locks); here it can only be renamed and assigned. Every other account holds its own
 * credentials, secrets sealed and write-only. Each write bumps `settings_version` on its own
 * transaction, so every node's next purchase uses the change.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { isUniqueViolation, query, type Tx } from '../../db/open.ts';
import { assignRoutersToAccount, routerPaymentAccounts } from '../../gateways/index.ts';
import { AppError } from '../../lib/errors.ts';
import { mpesaMissing, receivingShortcode } from '../../payments/index.ts';
import { bumpSettingsVersion } from '../../settings/index.ts';
import { mpesaSchema } from '../settings/settings.ts';

const CREDENTIALS = [
  'environment',
  'type',
  'shortcode',
  'till',
  'consumerKey',
  'consumerSecret',
  'passkey',
  'initiatorName',
  'initiatorPassword',
] as const;

const assignment = {
  routerIds: z.array(z.number().int().positive().max(2_147_483_647)).max(500).optional(),
  sites: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
};

export const accountPatch = mpesaSchema
  .extend({ name: z.string().trim().min(1).max(60).optional(), ...assignment })
  .strict();
export const accountInput = accountPatch.extend({ name: z.string().trim().min(1).max(60) }).strict();
export type AccountPatch = z.output<typeof accountPatch>;

export interface PaymentAccountView {
  id: number;
  name: string;
  isDefault: boolean;
  type: 'paybill' | 'till';
  /** Paybill number, or a till's store number (BusinessShortCode in STK). */
  shortcode: string;
  till: string | null;
  /** The number customers pay: the till for Buy Goods, else the Paybill. */
  payTo: string;
  environment: 'sandbox' | 'production';
  consumerKey: string | null;
  initiatorName: string | null;
  consumerSecretSet: boolean;
  passkeySet: boolean;
  initiatorPasswordSet: boolean;
  /** The first credential an STK push still lacks, or null. */
  missing: string | null;
  testedAt: string | null;
  pullRegistered: boolean;
  routerIds: number[];
  sites: string[];
}

export async function listPaymentAccounts(deps: Deps): Promise<PaymentAccountView[]> {
  const all = await deps.accounts.all();
  const routers = await routerPaymentAccounts(deps.db);
  const sites = await query<{ site: string; payment_account_id: number }>(
    deps.db,
    sql`SELECT site, payment_account_id FROM payment_account_sites ORDER BY site`,
  );
  return all.map((a) => ({
    id: a.accountId,
    name: a.name,
    isDefault: a.isDefault,
    type: a.type,
    shortcode: a.shortcode,
    till: a.till,
    payTo: receivingShortcode(a),
    environment: a.environment,
    consumerKey: a.consumerKey || null,
    initiatorName: a.initiatorName || null,
    consumerSecretSet: a.consumerSecret !== '',
    passkeySet: a.passkey !== '',
    initiatorPasswordSet: a.initiatorPassword !== '',
    missing: mpesaMissing(a),
    testedAt: a.testedAt?.toISOString() ?? null,
    pullRegistered: a.pullShortcode !== null && a.pullShortcode === receivingShortcode(a),
    routerIds: routers.filter((r) => r.accountId === a.accountId).map((r) => r.routerId),
    sites: sites.filter((s) => s.payment_account_id === a.accountId).map((s) => s.site),
  }));
}

const field = (f: string, why: string) => new AppError('validation', `${f}: ${why}`);

export async function createPaymentAccount(
  deps: Deps,
  input: z.output<typeof accountInput>,
  actor: Actor,
  ip: string | null,
): Promise<{ id: number }> {
  for (const f of ['shortcode', 'consumerKey', 'consumerSecret', 'passkey'] as const)
    if (!input[f]) throw field(f, 'required for a new account');
  if (input.type === 'till' && !input.till) throw field('till', 'a Till account needs its till number');
  return save(deps, null, input, actor, ip);
}

export async function updatePaymentAccount(
  deps: Deps,
  id: number,
  input: AccountPatch,
  actor: Actor,
  ip: string | null,
): Promise<{ id: number }> {
  return save(deps, id, input, actor, ip);
}

async function save(
  deps: Deps,
  id: number | null,
  input: AccountPatch,
  actor: Actor,
  ip: string | null,
): Promise<{ id: number }> {
  const now = deps.clock.now();
  const seal = (v: string | null | undefined) => (v ? deps.sealer.seal(v) : v);
  try {
    return await deps.db.transaction(async (tx) => {
      let accountId = id;
      if (accountId === null) {
        const [row] = await query<{ id: number }>(
          tx,
          sql`INSERT INTO payment_accounts (name, type, shortcode, till, environment, consumer_key,
                consumer_secret_sealed, passkey_sealed, initiator_name, initiator_password_sealed, created_at, updated_at)
              VALUES (${input.name}, ${input.type ?? 'paybill'}, ${input.shortcode}, ${input.till ?? null},
                ${input.environment ?? 'sandbox'}, ${input.consumerKey}, ${seal(input.consumerSecret)},
                ${seal(input.passkey)}, ${input.initiatorName ?? null}, ${seal(input.initiatorPassword) ?? null}, ${now}, ${now})
              RETURNING id`,
        );
        accountId = row!.id;
      } else {
        const [cur] = await query<{ is_default: boolean }>(
          tx,
          sql`SELECT is_default FROM payment_accounts WHERE id = ${accountId} FOR UPDATE`,
        );
        if (!cur) throw new AppError('not_found', 'No such payment account.');
        const given = CREDENTIALS.filter((f) => input[f] !== undefined);
        if (cur.is_default && given.length)
          throw field(given[0]!, "the main account's credentials are under Settings → M-Pesa");
        for (const f of ['shortcode', 'consumerKey', 'consumerSecret', 'passkey'] as const)
          if (input[f] === null) throw field(f, 'an account cannot be without it');
        await updateRow(tx, accountId, input, seal, now);
      }
      const [row] = await query<{ type: string; till: string | null }>(
        tx,
        sql`SELECT type, till FROM payment_accounts WHERE id = ${accountId}`,
      );
      if (row!.type === 'till' && !row!.till) throw field('till', 'a Till account needs its till number');
      await assign(tx, accountId, input);
      await bumpSettingsVersion(tx);
      await audit(tx, deps, {
        actor,
        action: id === null ? 'payment_account.create' : 'payment_account.update',
        entity: 'payment_account',
        entityId: String(accountId),
        // Which secrets changed, never their values.
        detail: Object.fromEntries(
          Object.entries(input).map(([k, v]) =>
            ['consumerSecret', 'passkey', 'initiatorPassword'].includes(k) ? [k, v ? 'changed' : v] : [k, v],
          ),
        ),
        ip,
      });
      return { id: accountId };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'payment_accounts_name_key'))
      throw field('name', 'another account has that name');
    throw e;
  }
}

async function updateRow(
  tx: Tx,
  id: number,
  input: AccountPatch,
  seal: (v: string | null | undefined) => string | null | undefined,
  now: Date,
) {
  // `undefined` keeps a column (coalesce with the current value); null clears an optional one.
  const keep = (v: unknown) => v === undefined;
  await query(
    tx,
    sql`UPDATE payment_accounts SET
          name = coalesce(${input.name ?? null}, name),
          type = coalesce(${input.type ?? null}, type),
          shortcode = coalesce(${input.shortcode ?? null}, shortcode),
          till = CASE WHEN ${keep(input.till)} THEN till ELSE ${input.till ?? null} END,
          environment = coalesce(${input.environment ?? null}, environment),
          consumer_key = coalesce(${input.consumerKey ?? null}, consumer_key),
          consumer_secret_sealed = coalesce(${seal(input.consumerSecret) ?? null}, consumer_secret_sealed),
          passkey_sealed = coalesce(${seal(input.passkey) ?? null}, passkey_sealed),
          initiator_name = CASE WHEN ${keep(input.initiatorName)} THEN initiator_name ELSE ${input.initiatorName ?? null} END,
          initiator_password_sealed = CASE WHEN ${keep(input.initiatorPassword)} THEN initiator_password_sealed
                                           ELSE ${seal(input.initiatorPassword) ?? null} END,
          -- New credentials are not tested yet.
          tested_at = CASE WHEN ${keep(input.consumerKey) && keep(input.consumerSecret) && keep(input.environment)}
                           THEN tested_at END,
          updated_at = ${now}
        WHERE id = ${id}`,
  );
}

/** The given lists replace the account's routers and sites (absent lists keep them). */
async function assign(tx: Tx, accountId: number, input: AccountPatch) {
  if (input.routerIds) {
    const missing = await assignRoutersToAccount(tx, accountId, input.routerIds);
    if (missing !== null) throw field('routerIds', `there is no router ${missing}`);
  }
  if (input.sites) {
    await query(tx, sql`DELETE FROM payment_account_sites WHERE payment_account_id = ${accountId}`);
    for (const s of new Set(input.sites)) {
      // A site belongs to one account: assigning it here moves it.
      await query(
        tx,
        sql`INSERT INTO payment_account_sites (site, payment_account_id) VALUES (${s}, ${accountId})
            ON CONFLICT (site) DO UPDATE SET payment_account_id = EXCLUDED.payment_account_id`,
      );
    }
  }
}

/** Stamps a successful Test (the setup checklist's "M-Pesa tested"). */
export async function markTested(deps: Deps, accountId: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await query(tx, sql`UPDATE payment_accounts SET tested_at = ${deps.clock.now()} WHERE id = ${accountId}`);
    await bumpSettingsVersion(tx);
  });
}
