/**
 * `GET /_sim/stk`: a read-only JSON view of the simulator for scripts (the fault bench, a test
 * driving the phone): every STK push with how it ended, and the fault counters. A script finds the
 * prompt a customer would see here and answers it on the phone page, as a person would.
 */
import type { FastifyInstance } from 'fastify';
import type { DarajaSim } from './engine.ts';
import type { StkTxn } from './types.ts';

const view = (t: StkTxn) => ({
  checkoutRequestId: t.checkoutRequestId,
  phone: t.phone,
  amount: t.amount,
  accountReference: t.accountReference,
  state: t.state,
  /** Waiting for a person on the phone page (not an automatic outcome). */
  manual: t.plan.kind === 'manual',
  resultCode: t.resultCode,
  receipt: t.receipt,
  createdAt: t.createdAt.toISOString(),
  finishedAt: t.finishedAt?.toISOString() ?? null,
});

export type SimStkView = ReturnType<typeof view>;

export async function darajaSimControlRoutes(app: FastifyInstance, opts: { sim: DarajaSim }) {
  app.get('/_sim/stk', async (req) => {
    const q = req.query as { phone?: string; state?: string };
    const list = [...opts.sim.txns.values()].filter(
      (t) => (!q.phone || t.phone === q.phone) && (!q.state || t.state === q.state),
    );
    return { transactions: list.map(view), stats: opts.sim.stats };
  });
}
