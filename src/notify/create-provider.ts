import type { Config } from '../config.ts';
import type { Db } from '../db/open.ts';
import type { Clock } from '../lib/clock.ts';
import { SimSmsGateway } from '../sim/sms-gateway.ts';
import { africasTalkingProvider } from './africastalking.ts';
import { noSmsProvider, type SmsProvider } from './provider.ts';

/** SMS_PROVIDER picks the gateway; config validation already refused `sim` in production. */
export function createSmsProvider(config: Config, db: Db, clock: Clock): SmsProvider {
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
