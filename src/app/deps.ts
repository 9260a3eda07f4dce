/**
 * Dependencies are a plain object passed to every use case (DESIGN.md §6): no container, no globals.
 * This is only their shape; src/app/create-deps.ts builds them, in one place.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Conn, Database, Db } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import type { Episodes } from '../lib/episodes.ts';
import type { Sealer } from '../lib/seal.ts';
import type { EnqueueOptions, JobKind } from '../jobs/types.ts';
import type { LiveSmsProvider } from '../notify/live-provider.ts';
import type { LiveSettings } from '../settings/index.ts';
import type { RouterConnections } from '../gateways/connections.ts';
import type { GatewayAdapter, PppActive, RouterRow } from '../gateways/adapter.ts';
import type { DarajaClient } from '../protocols/daraja/client.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { LiveAccounts } from '../payments/accounts/live.ts';

/** Usage to charge to one code since its last report (deltas, not running totals). */
export interface UsageInput {
  accessCodeId: string;
  /** Seconds online since the last report. */
  seconds: number;
  /** Bytes up + down since the last report. */
  bytes: number;
}

/** Builds the adapter of one router in its mode (the gateways feature's and the RADIUS feature's). */
export type AdapterFactory = (deps: Deps, router: RouterRow) => GatewayAdapter;

/**
 * The adapter of each mode, built once by the wiring (`createDeps`), so no feature registers
 * itself at import time and every entry point (server, worker, CLI) has the same set. A mode
 * missing here is one this build does not drive.
 */
export type GatewayModes = Partial<Record<RouterRow['mode'], AdapterFactory>>;

export interface Deps {
  /**
   * Charge online time and bytes to codes (the access feature's rule, recordUsageMany). Passed in so
   * that the gateways, which poll the usage, need not depend on the access feature that sells it.
   */
  chargeUsage(tx: Conn, usage: UsageInput[]): Promise<unknown>;
  /**
   * Record an api-mode router's live PPP sessions (`/ppp active`) on the poll's transaction (the
   * subscribers feature's rule, syncPolledPppSessions): the gateways poll, the subscribers own the rows.
   */
  syncPppSessions(tx: Conn, routerId: number, list: PppActive[], seenAt: Date): Promise<unknown>;
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Repeating problems (a router down) logged once per episode on `log`. */
  episodes: Episodes;
  sealer: Sealer;
  /** Write a durable job on `conn` (pass the open transaction so it commits with the change). */
  enqueue<P>(conn: Conn, job: JobKind<P>, payload: NoInfer<P>, opts?: EnqueueOptions): Promise<number | null>;
  /** The M-Pesa and SMS settings in force now (environment, then dashboard, then default). */
  settings: LiveSettings;
  /** The SMS gateway the settings pick at each send (the `sms.send` job is its main caller). */
  sms: LiveSmsProvider;
  /** The adapter of each gateway mode (api, opennds, radius…). */
  gatewayModes: GatewayModes;
  /** Open RouterOS API/REST connections, reused per router (closed by the gateways module on stop). */
  routerConnections: RouterConnections;
  /** The certificate that encrypts the initiator password: Safaricom's per environment; demo's simulator's. */
  mpesaCertificate(environment: 'sandbox' | 'production'): string;
  /** M-Pesa Daraja for the default payment account; in demo the simulator mounted on our own server. */
  daraja: DarajaClient;
  /** The payment accounts in force now (the default one is `settings.mpesa()` with its row). */
  accounts: LiveAccounts;
  /** M-Pesa Daraja for one payment account (`null` = the default account). */
  darajaFor(accountId: number | null): DarajaClient;
  /** This process's Prometheus instruments (GET /metrics); use cases record events on it. */
  metrics: Metrics;
}
