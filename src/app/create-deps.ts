/**
 * The wiring: every service a use case may need, built once from the config. Features never build
 * their own (they receive Deps), so this is the one place that picks real or simulated parts.
 */
import type { Logger } from 'pino';
import { recordUsageMany } from '../access/usage.ts';
import type { Config } from '../config.ts';
import type { Database, Db } from '../db/open.ts';
import { createRouterConnections } from '../gateways/connections.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { Clock } from '../lib/clock.ts';
import { createSealer } from '../lib/seal.ts';
import { africasTalkingProvider } from '../notify/africastalking.ts';
import { noSmsProvider, type SmsProvider } from '../notify/provider.ts';
import { Metrics, readDbSnapshot } from '../metrics/index.ts';
import { createAppDaraja } from '../payments/daraja.ts';
import { SimSmsGateway } from '../sim/sms-gateway.ts';
import type { Deps } from './deps.ts';

export function createDeps(o: { config: Config; database: Database; clock: Clock; log: Logger }): Deps {
  const sealer = createSealer(o.config.secretKey);
  const deps: Deps = {
    chargeUsage: (tx, usage) => recordUsageMany(tx, deps, usage),
    config: o.config,
    database: o.database,
    db: o.database.db,
    clock: o.clock,
    log: o.log,
    sealer,
    enqueue: (conn, spec) => enqueue(conn, o.clock, spec),
    sms: createSmsProvider(o.config, o.database.db, o.clock),
    routerConnections: createRouterConnections(sealer),
    daraja: createAppDaraja({ config: o.config, database: o.database, sealer, clock: o.clock }),
    metrics: new Metrics({ processMetrics: true, readDb: () => readDbSnapshot(o.database.db, o.clock) }),
  };
  return deps;
}

/** SMS_PROVIDER picks the gateway; config validation already refused `sim` in production. */
function createSmsProvider(config: Config, db: Db, clock: Clock): SmsProvider {
  switch (config.sms.provider) {
    case 'africastalking':
      return africasTalkingProvider({
        baseUrl: config.sms.atBaseUrl,
        username: config.sms.atUsername!,
        apiKey: config.sms.atApiKey!,
        senderId: config.sms.atSenderId,
      });
    case 'sim':
      return new SimSmsGateway(db, clock, config.sms.atSenderId);
    default:
      return noSmsProvider;
  }
}
