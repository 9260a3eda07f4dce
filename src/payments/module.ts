/** M-Pesa payments: public API, Daraja webhooks, reconciliation and inbox sweeps. */
import type { Module } from '../app/module.ts';
import { callbackUrlProblem } from '../protocols/daraja/url-rules.ts';
import { callbackUrls } from './daraja.ts';
import { startPurchaseEvents } from './events.ts';
import { handler } from '../jobs/define.ts';
import { PAYMENTS_INBOX_JOB, PAYMENTS_PULL_JOB, PAYMENTS_RECONCILE_JOB } from './job-kinds.ts';
import { reconcilePayments } from './reconcile.ts';
import { sweepInbox } from './stk-callback.ts';
import { PULL_EVERY_MS, pullRecentPayments } from './pull/pull-payments.ts';

export const PAYMENT_RECONCILE_EVERY_MS = 5_000;
export const INBOX_SWEEP_EVERY_MS = 30_000;

export const paymentsModule: Module = {
  name: 'payments',
  // Imported by the HTTP role only, with their request schemas.
  async routes(app, deps) {
    const [{ paymentRoutes }, { statusCallbackRoutes }] = await Promise.all([
      import('./routes.ts'),
      import('./transaction-status/routes.ts'),
    ]);
    paymentRoutes(app, deps);
    await app.register(statusCallbackRoutes(deps));
  },
  jobs: (deps) => [
    handler(PAYMENTS_RECONCILE_JOB, async () => void (await reconcilePayments(deps))),
    handler(PAYMENTS_INBOX_JOB, async () => void (await sweepInbox(deps))),
    handler(PAYMENTS_PULL_JOB, async () => void (await pullRecentPayments(deps))),
  ],
  recurring: () => [
    { job: PAYMENTS_RECONCILE_JOB, everyMs: PAYMENT_RECONCILE_EVERY_MS },
    { job: PAYMENTS_INBOX_JOB, everyMs: INBOX_SWEEP_EVERY_MS },
    { job: PAYMENTS_PULL_JOB, everyMs: PULL_EVERY_MS },
  ],
  services: [
    {
      roles: ['serve'],
      async start(deps) {
        const urls = callbackUrls(deps.config);
        for (const [name, url] of Object.entries(urls)) {
          const problem = callbackUrlProblem(url);
          if (problem)
            deps.log.error(
              { name },
              `M-Pesa callback URL ${problem}; fix PUBLIC_URL or MPESA_CALLBACK_SECRET`,
            );
        }
        if (deps.config.demo) {
          // The demo's simulator is on this server: register the C2B URLs once it listens.
          setTimeout(() => {
            const urls = callbackUrls(deps.config);
            deps.daraja
              .registerC2bUrls({ confirmationUrl: urls.c2bConfirm, validationUrl: urls.c2bValidate })
              .then((r) => {
                if (!r.ok) deps.log.warn({ error: r.error }, 'demo C2B URL registration failed');
              })
              .catch(() => {});
          }, 200).unref();
        }
        return startPurchaseEvents(deps.database);
      },
    },
  ],
};
