/**
 * The wiring: every service a use case may need, built once from the config. Features never build
 * their own (they receive Deps), so this is the one place that picks real or simulated parts.
 */
import type { Logger } from 'pino';
import { recordUsageMany } from '../access/usage.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/open.ts';
import { createRouterConnections } from '../gateways/connections.ts';
import { gatewayModes } from '../gateways/index.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Clock } from '../lib/clock.ts';
import { createSealer } from '../lib/seal.ts';
import { Metrics, readDbSnapshot } from '../metrics/index.ts';
import { liveSmsProvider } from '../notify/live-provider.ts';
import { createAccountDarajas, createLiveAccounts, safaricomCertificate } from '../payments/index.ts';
import { radiusGatewayMode } from '../radius/index.ts';
import { createLiveSettings } from '../settings/index.ts';
import { syncPolledPppSessions } from '../subscribers/index.ts';
import { SIM_CERTIFICATE } from '../sim/daraja/transaction-status.ts';
import { SimSmsGateway } from '../sim/sms-gateway.ts';
import { createEpisodes } from '../lib/episodes.ts';
import type { Deps } from './deps.ts';

export function createDeps(o: { config: Config; database: Database; clock: Clock; log: Logger }): Deps {
  const sealer = createSealer(o.config.secretKey);
  const settings = createLiveSettings({ db: o.database.db, sealer, config: o.config });
  const accounts = createLiveAccounts({ db: o.database.db, sealer, settings });
  const darajaFor = createAccountDarajas({ ...o, sealer, accounts });
  // The simulator's inbox exists only in demo; production refuses SMS_PROVIDER=sim.
  const simSms = o.config.demo ? new SimSmsGateway(o.database.db, o.clock, o.config.sms.atSenderId) : null;
  const deps: Deps = {
    chargeUsage: (tx, usage) => recordUsageMany(tx, deps, usage),
    syncPppSessions: (tx, routerId, list, seenAt) => syncPolledPppSessions(tx, routerId, list, seenAt),
    config: o.config,
    database: o.database,
    db: o.database.db,
    clock: o.clock,
    log: o.log,
    episodes: createEpisodes(o.log),
    sealer,
    enqueue: (conn, job, payload, opts) => enqueue(conn, o.clock, job, payload, opts),
    settings,
    sms: liveSmsProvider({ settings, sim: simSms }),
    gatewayModes: { ...gatewayModes(), radius: radiusGatewayMode },
    routerConnections: createRouterConnections(sealer),
    // Demo talks to the simulator, which holds the key of its own certificate.
    mpesaCertificate: (env) => (o.config.demo ? SIM_CERTIFICATE : safaricomCertificate(env)),
    daraja: darajaFor(null),
    accounts,
    darajaFor,
    metrics: new Metrics({ processMetrics: true, readDb: () => readDbSnapshot(o.database.db, o.clock) }),
  };
  return deps;
}
