/**
 * Which router (NAS) sent a packet, and its shared secret. Routers in radius mode are read from
 * the database into a small snapshot that lives a few seconds: a busy server does not query the
 * routers table per packet, and an edit in the admin shows up within `ttlMs`. A packet from an
 * address we do not know triggers at most one reload per second, so a new router works at once
 * but a flood of strangers cannot hammer the database. Ages are measured on `deps.clock`.
 *
 * A router is accepted only from its own address or one allowed for it (`radius_allow_from`,
 * see gateways/routers/allow-from.ts); a router set to `any` is logged as a warning when loaded.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';
import { allowFromWarning, type SourceRule, sourceRule } from '../gateways/index.ts';
import type { RadiusProfile } from '../gateways/index.ts';

export interface Nas {
  routerId: number;
  name: string;
  address: string | null;
  identifier: string | null;
  secret: string;
  coaPort: number;
  requireMessageAuth: boolean;
  /** Whose attributes its Access-Accepts carry (profiles.ts). */
  profile: RadiusProfile;
  /** Where it may send from. */
  sources: SourceRule;
}

interface Row {
  id: number;
  name: string;
  nas_address: string | null;
  nas_identifier: string | null;
  radius_secret_sealed: string;
  coa_port: number;
  radius_require_message_auth: boolean;
  radius_allow_from: string | null;
  radius_profile: RadiusProfile;
}

export const ROUTERS_CHANNEL = 'wavu_routers';

/** dgram reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d. */
export const plainAddress = (a: string): string => (a.startsWith('::ffff:') ? a.slice(7) : a);

export class NasDirectory {
  private list: Nas[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;
  /** Routers already warned about for taking RADIUS from any address (once per process). */
  private readonly warnedAny = new Set<number>();

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'sealer' | 'log' | 'clock'>,
    private readonly ttlMs = 5_000,
    private readonly missReloadMs = 1_000,
  ) {}

  /** Load now (at start-up, so warnings show at once rather than at the first packet). */
  load(): Promise<void> {
    return this.reload();
  }

  /**
   * The NAS for a packet: by NAS-Identifier when the packet names a router we know, otherwise by
   * source address when exactly one router has it. Several routers behind one NAT address must
   * each send their own NAS-Identifier.
   */
  async find(source: string, nasIdentifier: string | undefined): Promise<Nas | null> {
    const src = plainAddress(source);
    // A clock set back (tests) counts as expired rather than as a snapshot from the future.
    const age = this.age();
    if (age > this.ttlMs || age < 0) await this.reload();
    let hit = this.match(src, nasIdentifier);
    // A NAS-Identifier we have never seen may be a router added since the last load.
    const unknownIdent = !!nasIdentifier && !this.list.some((n) => n.identifier === nasIdentifier);
    if ((!hit || unknownIdent) && this.age() >= this.missReloadMs) {
      await this.reload();
      hit = this.match(src, nasIdentifier);
    }
    return hit;
  }

  byRouterId(id: number): Nas | undefined {
    return this.list.find((n) => n.routerId === id);
  }

  /** The router a NAS-Identifier names, whether or not the packet's address was allowed. */
  byIdentifier(identifier: string | undefined): Nas | undefined {
    return identifier ? this.list.find((n) => n.identifier === identifier) : undefined;
  }

  /**
   * Forget the snapshot whenever a router changes anywhere: migration 0940 NOTIFYs `wavu_routers`
   * on every edit of what is cached here, delivered at commit to each RADIUS node. The TTL stays
   * as the safety net for a listening connection that was lost.
   */
  async follow(database: Pick<Deps['database'], 'listen'>): Promise<() => Promise<void>> {
    return database.listen(ROUTERS_CHANNEL, () => this.invalidate());
  }

  /** Forget the snapshot (after an edit made in this process). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private age(): number {
    return this.deps.clock.now().getTime() - this.loadedAt;
  }

  private match(src: string, ident: string | undefined): Nas | null {
    if (ident) {
      const named = this.list.find((n) => n.identifier === ident);
      if (named) return allowedFrom(named, src) ? named : null;
    }
    // Without a NAS-Identifier of ours a router is known only by its own address.
    const byAddr = this.list.filter((n) => n.address === src);
    return byAddr.length === 1 ? byAddr[0]! : null;
  }

  private reload(): Promise<void> {
    // One load at a time; concurrent packets wait for the same one.
    this.loading ??= (async () => {
      try {
        const rows = await query<Row>(
          this.deps.db,
          sql`SELECT id, name, nas_address, nas_identifier, radius_secret_sealed, coa_port,
                     radius_require_message_auth, radius_allow_from, radius_profile
                FROM routers WHERE mode = 'radius' AND enabled`,
        );
        const list: Nas[] = [];
        for (const r of rows) {
          const address = r.nas_address ? plainAddress(r.nas_address.trim()) : null;
          try {
            list.push({
              routerId: Number(r.id),
              name: r.name,
              address,
              identifier: r.nas_identifier,
              secret: this.deps.sealer.unseal(r.radius_secret_sealed),
              coaPort: Number(r.coa_port),
              requireMessageAuth: r.radius_require_message_auth,
              profile: r.radius_profile,
              sources: sourceRule(address, r.radius_allow_from),
            });
          } catch (e) {
            this.deps.log.error({ err: e, router: r.name }, 'cannot unseal RADIUS secret; router ignored');
            continue;
          }
          const warning = allowFromWarning({
            mode: 'radius',
            name: r.name,
            radiusAllowFrom: r.radius_allow_from,
          });
          if (warning && !this.warnedAny.has(Number(r.id))) {
            this.warnedAny.add(Number(r.id));
            this.deps.log.warn({ router: r.name }, warning);
          }
        }
        this.list = list;
        this.loadedAt = this.deps.clock.now().getTime();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

/**
 * Whether `nas` may send from `src`: its own address or an allowed one, or any address when set
 * so. `any` needs Message-Authenticator: without it an Access-Request is not authenticated by the
 * secret at all, so a router let off it is held to its listed addresses.
 */
function allowedFrom(nas: Nas, src: string): boolean {
  return (nas.sources.any && nas.requireMessageAuth) || nas.sources.listed(src);
}
