/**
 * Router records as the admin edits them. Credentials are write-only: sealed with deps.sealer on
 * the way in, never returned (the list says only whether one is set). Talking to the router
 * (test, setup script, grants) is the gateways feature's business.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { isUniqueViolation, query } from '../../db/open.ts';
import { AppError } from '../../lib/errors.ts';
import { type Actor, audit } from '../audit.ts';

const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'A host name or IP address');

export const routerInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'Letters, digits, . _ - (no spaces)'),
  mode: z.enum(['api', 'radius']),
  site: z.string().trim().max(100).nullable().default(null),
  host: host.nullable().default(null),
  apiTransport: z.enum(['api', 'api-tls', 'rest']).default('api'),
  apiPort: z.number().int().min(1).max(65535).nullable().default(null),
  username: z.string().trim().max(100).nullable().default(null),
  /** Write-only; omit to keep the stored one. */
  password: z.string().max(200).optional(),
  hotspotServer: z.string().trim().max(100).nullable().default(null),
  /** Write-only RADIUS shared secret; required for radius mode when none is stored. */
  radiusSecret: z.string().min(16, 'Use at least 16 characters').max(128).optional(),
  nasIdentifier: z.string().trim().max(253).nullable().default(null),
  nasAddress: z.string().trim().max(64).nullable().default(null),
  enabled: z.boolean().default(true),
});
export const routerPatch = routerInput.partial();

type In = Partial<z.output<typeof routerInput>>;

function columns(deps: Deps, r: In) {
  const cols: Record<string, unknown> = {};
  const map: [keyof In, string][] = [
    ['name', 'name'],
    ['mode', 'mode'],
    ['site', 'site'],
    ['host', 'host'],
    ['apiTransport', 'api_transport'],
    ['apiPort', 'api_port'],
    ['username', 'username'],
    ['hotspotServer', 'hotspot_server'],
    ['nasIdentifier', 'nas_identifier'],
    ['nasAddress', 'nas_address'],
    ['enabled', 'enabled'],
  ];
  for (const [k, c] of map) if (r[k] !== undefined) cols[c] = r[k];
  if (r.password !== undefined) cols.password_sealed = r.password ? deps.sealer.seal(r.password) : null;
  if (r.radiusSecret !== undefined) cols.radius_secret_sealed = deps.sealer.seal(r.radiusSecret);
  return cols;
}

/** Audit detail: what changed, with secrets named but never included. */
function auditDetail(r: In) {
  const { password, radiusSecret, ...rest } = r;
  return {
    ...rest,
    ...(password !== undefined ? { password: 'changed' } : {}),
    ...(radiusSecret !== undefined ? { radiusSecret: 'changed' } : {}),
  };
}

function friendly(e: unknown): never {
  if (isUniqueViolation(e))
    throw new AppError('conflict', 'Another router already has that name or NAS identifier.');
  const msg = String((e as Error)?.message ?? e);
  if (/check constraint/i.test(msg) || (e as { cause?: { code?: string } })?.cause?.code === '23514')
    throw new AppError('validation', 'radiusSecret: A RADIUS router needs a shared secret.');
  throw e;
}

export async function createRouter(
  deps: Deps,
  r: z.output<typeof routerInput>,
  actor: Actor,
  ip: string | null,
) {
  const cols = columns(deps, r);
  const now = deps.clock.now();
  cols.created_at = now;
  cols.updated_at = now;
  const names = Object.keys(cols);
  try {
    return await deps.db.transaction(async (tx) => {
      const rows = await query<{ id: number }>(
        tx,
        sql`INSERT INTO routers (${sql.raw(names.join(', '))}) VALUES (${sql.join(
          names.map((n) => sql`${cols[n]}`),
          sql`, `,
        )}) RETURNING id`,
      );
      const id = rows[0]!.id;
      await audit(tx, deps.clock, {
        actor,
        action: 'router.create',
        entity: 'router',
        entityId: id,
        detail: auditDetail(r),
        ip,
      });
      return { id };
    });
  } catch (e) {
    friendly(e);
  }
}

export async function updateRouter(deps: Deps, id: number, r: In, actor: Actor, ip: string | null) {
  const cols = columns(deps, r);
  cols.updated_at = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const sets = sql.join(
        Object.keys(cols).map((n) => sql`${sql.raw(n)} = ${cols[n]}`),
        sql`, `,
      );
      const rows = await query<{ id: number }>(
        tx,
        sql`UPDATE routers SET ${sets} WHERE id = ${id} RETURNING id`,
      );
      if (!rows[0]) throw new AppError('not_found', 'No such router.');
      await audit(tx, deps.clock, {
        actor,
        action: 'router.update',
        entity: 'router',
        entityId: id,
        detail: auditDetail(r),
        ip,
      });
      return { id };
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    friendly(e);
  }
}

/** A router with history (purchases, sessions) is disabled rather than deleted. */
export async function deleteRouter(deps: Deps, id: number, actor: Actor, ip: string | null) {
  return deps.db.transaction(async (tx) => {
    const [r] = await query<{ name: string }>(tx, sql`SELECT name FROM routers WHERE id = ${id} FOR UPDATE`);
    if (!r) throw new AppError('not_found', 'No such router.');
    const [u] = await query<{ used: boolean }>(
      tx,
      sql`SELECT EXISTS (SELECT 1 FROM purchases WHERE router_id = ${id})
              OR EXISTS (SELECT 1 FROM sessions WHERE router_id = ${id}) AS used`,
    );
    if (u!.used) {
      await query(
        tx,
        sql`UPDATE routers SET enabled = false, updated_at = ${deps.clock.now()} WHERE id = ${id}`,
      );
      await audit(tx, deps.clock, {
        actor,
        action: 'router.disable',
        entity: 'router',
        entityId: id,
        detail: { name: r.name },
        ip,
      });
      return { deleted: false, disabled: true };
    }
    await query(tx, sql`DELETE FROM routers WHERE id = ${id}`);
    await audit(tx, deps.clock, {
      actor,
      action: 'router.delete',
      entity: 'router',
      entityId: id,
      detail: { name: r.name },
      ip,
    });
    return { deleted: true, disabled: false };
  });
}
