/**
 * The Daraja simulator inside our own server, demo mode only: the Daraja API under /sim/daraja
 * (demo's MPESA_BASE_URL points there) and the phone page at /sim/phone. In demo a person answers
 * each prompt on the phone page; magic phone numbers (outcomes.ts) give instant outcomes.
 */
import type { Module } from '../../app/module.ts';
import { DarajaSim } from './engine.ts';
import { type DarajaSimOptions, DEMO_SECOND_ACCOUNT } from './types.ts';
import { phonePageRoutes } from './phone-page.ts';
import { darajaSimRoutes } from './routes.ts';

export function darajaSimModule(o: { sim?: DarajaSim; options?: DarajaSimOptions } = {}): Module {
  return {
    name: 'sim-daraja',
    demoOnly: true,
    async routes(app, deps) {
      const m = deps.config.mpesa;
      const sim =
        o.sim ??
        new DarajaSim({
          // The demo's own account, and a second business's Till to try payment accounts with.
          apps: [{ consumerKey: m.consumerKey, consumerSecret: m.consumerSecret }, DEMO_SECOND_ACCOUNT.app],
          merchants: [
            { shortcode: m.shortcode, passkey: m.passkey, tills: m.till ? [m.till] : ['174380'] },
            DEMO_SECOND_ACCOUNT.merchant,
          ],
          defaultPlan: { kind: 'manual' },
          autoDelayMs: 3_000,
          ...o.options,
        });
      app.addHook('onClose', async () => sim.close());
      await app.register(darajaSimRoutes, { prefix: '/sim/daraja', sim });
      await app.register(phonePageRoutes, { prefix: '/sim/phone', sim, base: '/sim/phone' });
    },
  };
}
