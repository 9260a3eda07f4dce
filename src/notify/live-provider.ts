/**
 * The SMS gateway in force for each message: the settings are read at every send (a one-row
 * version check, src/settings/live.ts), so a provider or key saved in the dashboard is used by the
 * next message on every node, with no restart.
 */
import { createHash } from 'node:crypto';
import type { EffectiveSms, LiveSettings } from '../settings/index.ts';
import { africasTalkingProvider } from './africastalking.ts';
import { noSmsProvider, SmsError, type SmsProvider } from './provider.ts';

export interface LiveSmsProvider extends SmsProvider {
  /** The simulator's inbox when one is wired in (demo), whatever provider is in force. */
  readonly sim: SmsProvider | null;
  /** The provider the settings pick now (the "Send test message" button names it). */
  current(): Promise<SmsProvider>;
}

export function liveSmsProvider(o: { settings: LiveSettings; sim: SmsProvider | null }): LiveSmsProvider {
  let at: { fingerprint: string; provider: SmsProvider } | null = null;

  function pick(s: EffectiveSms): SmsProvider {
    if (s.provider === 'sim') return o.sim ?? noSmsProvider;
    if (s.provider !== 'africastalking') return noSmsProvider;
    if (!s.username || !s.apiKey) {
      return {
        name: 'africastalking',
        async send() {
          throw new SmsError(
            `Africa's Talking is chosen but its ${s.username ? 'API key' : 'username'} is not set (Settings → SMS)`,
            { retryable: false },
          );
        },
      };
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([s.baseUrl, s.username, s.apiKey, s.senderId]))
      .digest('hex');
    if (at?.fingerprint !== fingerprint) {
      at = {
        fingerprint,
        provider: africasTalkingProvider({
          baseUrl: s.baseUrl,
          username: s.username,
          apiKey: s.apiKey,
          senderId: s.senderId || undefined,
        }),
      };
    }
    return at.provider;
  }

  const live: LiveSmsProvider = {
    name: 'sms',
    sim: o.sim,
    async current() {
      return pick(await o.settings.sms());
    },
    async send(to, body) {
      const p = await live.current();
      // deliver-sms names the provider in its error text; say which one was used.
      (live as { name: string }).name = p.name;
      return p.send(to, body);
    },
  };
  return live;
}
