/**
 * Who made a change, one convention for the whole audit log. The `actor` column names them and
 * `actor_id` points at the staff account when there is one:
 *
 * | kind       | who                                              | actor      | actor_id |
 * |------------|--------------------------------------------------|------------|----------|
 * | `staff`    | a signed-in admin account                        | username   | its id   |
 * | `system`   | Wavu itself (start-up from ADMIN_USERNAME, jobs) | `system`   | null     |
 * | `cli`      | someone at the server's shell running `wavu …`   | `cli`      | null     |
 * | `customer` | a person on the portal or the public API         | `customer` | null     |
 *
 * A `cli` row also records the operating-system user in its detail (`osUser`): the shell is a
 * way in that has no Wavu account, so the OS login is the only name there is.
 */
import { userInfo } from 'node:os';

export type Actor =
  | { kind: 'staff'; id: number; username: string }
  | { kind: 'system' }
  | { kind: 'cli'; osUser: string | null }
  | { kind: 'customer' };

export const SYSTEM: Actor = { kind: 'system' };
export const CUSTOMER: Actor = { kind: 'customer' };

export const staffActor = (u: { id: number; username: string }): Actor => ({
  kind: 'staff',
  id: u.id,
  username: u.username,
});

/** The person at the shell: the OS user when the platform can tell. */
export function cliActor(): Actor {
  let osUser: string | null = null;
  try {
    osUser = userInfo().username || null;
  } catch {
    // No passwd entry for the uid (some containers): the row still says it came from the CLI.
  }
  return { kind: 'cli', osUser };
}

/** The staff account behind an actor (for `created_by` columns), or null. */
export const staffIdOf = (a: Actor): number | null => (a.kind === 'staff' ? a.id : null);

/** The `actor` column's text. */
export const actorName = (a: Actor): string => (a.kind === 'staff' ? a.username : a.kind);
