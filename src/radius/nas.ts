/**
 * Which router (NAS) sent a packet, and its shared secret. Routers in radius mode are read from
 * the database into a small snapshot that lives a few seconds: a busy server does not query the
 * routers table per packet, and an edit in the admin shows up within `ttlMs`. A packet from an
 * address we do not know triggers at most one reload per second, so a new router works at once
 * but a flood of strangers cannot hammer the database.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../app/deps.ts';
import { query } from '../db/open.ts';

export interface Nas {
  routerId: number;
  name: string;
  address: string | null;
  identifier: string | null;
  secret: string;
  coaPort: number;
  requireMessageAuth: boolean;
}

interface Row {
  id: number;
  name: string;
  nas_address: string | null;
  nas_identifier: string | null;
  radius_secret_sealed: string;
  coa_port: number;
  radius_require_message_auth: boolean;
}

/** dgram reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d. */
export const plainAddress = (a: string): string => (a.startsWith('::ffff:') ? a.slice(7) : a);

export class NasDirectory {
  private list: Nas[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'sealer' | 'log'>,
    private readonly ttlMs = 5_000,
    private readonly missReloadMs = 1_000,
  ) {}

  /**
   * The NAS for a packet: by NAS-Identifier when the packet names a router we know, otherwise by
   * source address when exactly one router has it. Several routers behind one NAT address must
   * each send their own NAS-Identifier.
   */
  async find(source: string, nasIdentifier: string | undefined): Promise<Nas | null> {
    const src = plainAddress(source);
    const age = performance.now() - this.loadedAt;
    if (age > this.ttlMs) await this.reload();
    let hit = this.match(src, nasIdentifier);
    // A NAS-Identifier we have never seen may be a router added since the last load.
    const unknownIdent = !!nasIdentifier && !this.list.some((n) => n.identifier === nasIdentifier);
    if ((!hit || unknownIdent) && performance.now() - this.loadedAt > this.missReloadMs) {
      await this.reload();
      hit = this.match(src, nasIdentifier);
    }
    return hit;
  }

  byRouterId(id: number): Nas | undefined {
    return this.list.find((n) => n.routerId === id);
  }

  /** Forget the snapshot (after an edit made in this process). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private match(src: string, ident: string | undefined): Nas | null {
    if (ident) {
      const named = this.list.find((n) => n.identifier === ident);
      // Routers behind CGNAT change public address. One that must sign every Access-Request
      // (the default) is still authenticated by its secret, so its NAS-Identifier is enough; one
      // let off Message-Authenticator must also come from its registered address.
      if (named) return !named.address || named.address === src || named.requireMessageAuth ? named : null;
    }
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
                     radius_require_message_auth
                FROM routers WHERE mode = 'radius' AND enabled`,
        );
        const list: Nas[] = [];
        for (const r of rows) {
          try {
            list.push({
              routerId: Number(r.id),
              name: r.name,
              address: r.nas_address ? plainAddress(r.nas_address.trim()) : null,
              identifier: r.nas_identifier,
              secret: this.deps.sealer.unseal(r.radius_secret_sealed),
              coaPort: Number(r.coa_port),
              requireMessageAuth: r.radius_require_message_auth,
            });
          } catch (e) {
            this.deps.log.error({ err: e, router: r.name }, 'cannot unseal RADIUS secret; router ignored');
          }
        }
        this.list = list;
        this.loadedAt = performance.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
