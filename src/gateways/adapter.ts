/**
 * One interface for every kind of gateway. A router in `api` mode gets access pushed to it
 * (MikroTik hotspot users); a router in `radius` mode asks us at login, so its adapter mostly
 * disconnects (CoA). Jobs and reconcile talk only to this interface.
 */
import type { RouterRow } from './routers/row.ts';

export type { RouterRow };

/** Everything a gateway needs to let one code online, read from the database at that moment. */
export interface AccessSpec {
  accessCodeId: string;
  /** The plain code: the hotspot user name (and password) people type. */
  code: string;
  /** An imported voucher's own password (migration 1650); absent: the password is the code. */
  password?: string;
  planId: number;
  clock: 'wall' | 'uptime';
  /** Online time still allowed (wall clock: until expiry; uptime clock: what is left). */
  secondsLeft: number;
  /**
   * Data the gateway itself may still pass; null: no limit there. A fair-use plan's cap is never
   * given to the gateway (it would cut the code off): Wavu slows the code down when usage crosses it.
   */
  bytesLeft: number | null;
  /** Over the cap of a fair-use plan: the rates below are the plan's fair-use rate. */
  throttled: boolean;
  rateUpKbps: number | null;
  rateDownKbps: number | null;
  devices: number;
  /** MACs bound to the code (upper case). */
  macs: string[];
}

export interface ActiveSession {
  /** The gateway's own id for the session (`.id` of /ip/hotspot/active, Acct-Session-Id). */
  id: string;
  username: string;
  /** Ours when the user carries our tag; null for the operator's own users. */
  accessCodeId: string | null;
  mac: string | null;
  ip: string | null;
  uptimeSeconds: number;
  bytesIn: number;
  bytesOut: number;
}

export interface RouterHealth {
  ok: boolean;
  latencyMs: number;
  identity?: string;
  version?: string;
  board?: string;
  uptimeSeconds?: number;
  cpuLoad?: number;
  activeSessions?: number;
  error?: string;
}

/** A code of a revoke batch, as the gateway knows it. */
export interface RevokeItem {
  accessCodeId: string;
  /** The plain code: the hotspot user name, and the User-Name of its sessions. */
  username: string;
}

export interface SessionRef {
  acctSessionId?: string | null;
  username?: string | null;
  mac?: string | null;
  ip?: string | null;
}

/** What an api-mode router holds for one PPP subscriber. */
export interface PppSecretSpec {
  name: string;
  password: string;
  /** The `/ppp profile` to use: a rate profile Wavu keeps, or the expired pool's profile. */
  profile: string;
  /** Mikrotik rate-limit of `profile` when Wavu keeps it (null: the profile is the operator's). */
  rateLimit: string | null;
  remoteAddress: string | null;
  disabled: boolean;
  comment: string;
}

export interface PppActive {
  id: string;
  name: string;
  address: string | null;
  callerId: string | null;
  uptimeSeconds: number;
}

export interface ReconcileReport {
  added: number;
  updated: number;
  removed: number;
  kicked: number;
}

/**
 * How reconcile changes a gateway: `fn` runs holding the router, so no grant or revoke of this
 * process interleaves with its writes, and it is first given those of `codes` (the codes whose
 * users it means to add, change or remove) that are wanted on the router now, as read again then.
 * Reading a big router takes seconds: only the writes hold it, and they use what was re-read.
 */
export type ReconcileWrite = <T>(
  codes: string[],
  fn: (wantedNow: Map<string, AccessSpec>) => Promise<T>,
) => Promise<T>;

export interface GatewayAdapter {
  /**
   * Set when grant/revoke only queue the change (agent routers poll for it): the caller must not
   * mark the grant `granted`/`revoked`; the router's acknowledgement does.
   */
  readonly confirmsLater?: boolean;
  /** Put (or refresh) the access on the gateway. Idempotent. */
  grant(access: AccessSpec): Promise<void>;
  /**
   * Take the access off: the user, its live sessions and its login cookies. Idempotent.
   * `username` (the code) also catches sessions whose user was already deleted.
   */
  revoke(accessCodeId: string, username?: string): Promise<void>;
  /**
   * Take many accesses off at once (codes expiring together), with a few calls to the gateway
   * instead of a few per code. Returns the codes that did not come off, with why (they are
   * retried); throws when the gateway could not be reached at all. Idempotent, like `revoke`.
   * Gateways without it are revoked code by code.
   */
  revokeMany?(items: RevokeItem[]): Promise<Map<string, string>>;
  listActive(): Promise<ActiveSession[]>;
  /**
   * Tell the live sessions of this access its new limits (it was extended while online, or slowed
   * down at a fair-use cap). Radius mode: a CoA-Request with the new Session-Timeout and rate. Api mode has none: its grant updates the
   * hotspot user, which the router applies itself.
   */
  refresh?(access: AccessSpec): Promise<void>;
  disconnect(session: SessionRef): Promise<void>;
  /**
   * A live PPP session's new speed and Session-Timeout without ending it (radius mode: a
   * CoA-Request with Mikrotik-Rate-Limit). False when the router did not take it (NAK, or its
   * CoA port is unreachable): the caller then ends the session so its next login gets the change.
   */
  changeSession?(
    session: SessionRef,
    change: { rateLimit?: string; sessionTimeout?: number },
  ): Promise<boolean>;
  /** Api mode: put a PPP subscriber's `/ppp secret` (and its rate profile) on the router. */
  putPppSecret?(secret: PppSecretSpec): Promise<void>;
  /** Api mode: end the subscriber's `/ppp active` sessions (they re-dial with the new secret). */
  removePppActive?(name: string): Promise<number>;
  /** Api mode: the router's live PPP sessions (`/ppp active`). */
  listPppActive?(): Promise<PppActive[]>;
  health(): Promise<RouterHealth>;
  /**
   * Make the gateway hold exactly the desired accesses of ours (api mode); leaves others' users
   * alone. `loadDesired` is called after the gateway's state is read (see the adapter for why);
   * every change to the gateway is made inside `write`.
   */
  reconcile?(loadDesired: () => Promise<AccessSpec[]>, write: ReconcileWrite): Promise<ReconcileReport>;
  /** Log a device in from the server side (api mode: /ip/hotspot/active/login). */
  login?(o: { username: string; password: string; mac?: string; ip: string }): Promise<void>;
  /**
   * The device with this MAC as the gateway itself sees it on its network (api mode:
   * /ip/hotspot/host, which lists every device that joined, logged in or not); null if unseen.
   * Gateways without it are asked through `listActive` (a logged-in device only).
   */
  findDevice?(mac: string): Promise<{ ip: string; loggedIn: boolean } | null>;
  /** Is a user of this name on the gateway (api mode: /ip/hotspot/user)? For the troubleshooter. */
  hasUser?(username: string): Promise<boolean>;
  /** Every hotspot user on the gateway, ours or not (api mode). For the reconciliation report. */
  listUsers?(): Promise<RouterUser[]>;
  /** Delete one user by name, whoever made it (api mode). Only on a staff member's explicit click. */
  removeUser?(username: string): Promise<void>;
}

/** Gateways Wavu calls (health checks; sessions, as they send no accounting): MikroTik api mode and UniFi. */
export const wavuCallsGateway = (mode: RouterRow['mode']): boolean => mode === 'api' || mode === 'unifi';

export interface RouterUser {
  name: string;
  /** Ours when the user carries our tag; null for users made on the router by hand. */
  accessCodeId: string | null;
}
