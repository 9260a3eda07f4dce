/** Reports › Reconciliation: one day's money against codes, grants, router users and sessions. */
import { useState } from 'react';
import type { Discrepancy } from '../../../../src/admin/http/api-types.ts';
import { eatDate } from '../../../../src/lib/eat-time.ts';
import { ErrorNote } from '../components/feedback.tsx';
import { Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useFixDiscrepancy, useReconciliation } from '../hooks/api/operations.ts';
import { count, kes, when } from '../lib/format.ts';

const KIND: Record<Discrepancy['kind'], string> = {
  paid_no_code: 'Paid, no code',
  code_no_grant: 'Code not on router',
  router_user_foreign: 'Router user not ours',
  router_user_expired: 'Expired user on router',
  session_no_code: 'Session with no code',
  c2b_no_purchase: 'Payment with no purchase',
  amount_mismatch: 'Wrong amount',
  subscription_not_credited: 'Subscription not credited',
  subscriber_not_expired: 'Overdue subscriber still on',
};

/** Today in East Africa time, as the API counts days. */
const eatToday = () => eatDate(new Date());

export function ReconciliationPage() {
  const [date, setDate] = useState(eatToday);
  const r = useReconciliation(date);
  const d = r.data;
  return (
    <section>
      <h1>Reconciliation</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <input
          type="date"
          aria-label="Day (East Africa time)"
          value={date}
          onChange={(e) => setDate(e.target.value)}
        />
        <a className="button ghost" href={`/api/admin/reports/reconciliation?date=${date}&format=csv`}>
          Download CSV
        </a>
      </form>
      <ErrorNote error={r.error} />
      {r.isFetching && <p className="muted">Checking… (asking the routers too)</p>}
      {d && (
        <>
          <p className="muted">
            {d.money
              .map((m) => `${m.channel.toUpperCase()}: ${m.payments} paid, ${kes(m.kes)}`)
              .join(' · ') || 'No payments this day.'}{' '}
            · {count(d.codesIssued, 'code')} issued · {count(d.grantsGranted, 'grant')}
            {d.liveSessions !== null && ` · ${d.liveSessions} online now`}
          </p>
          {d.live ? (
            <p className="muted">
              Routers:{' '}
              {d.routers
                .map(
                  (x) =>
                    `${x.router} ${x.state === 'listed' ? `(${count(x.users ?? 0, 'user')})` : x.state === 'unreachable' ? '(did not answer)' : '(cannot list users)'}`,
                )
                .join(', ') || 'none'}
            </p>
          ) : (
            <p className="muted">Router users and live sessions are checked in today's report only.</p>
          )}
          <p role="status" className={d.open ? 'error' : ''}>
            {d.open ? `${d.open} to check.` : 'Everything matches.'}
          </p>
          {d.discrepancies.length > 0 && (
            <Table
              label="Discrepancies"
              rows={d.discrepancies}
              rowKey={(x) => `${x.kind}:${x.ref}`}
              columns={[
                { label: 'What', cell: (x) => KIND[x.kind] },
                { label: 'When', cell: (x) => (x.at ? when(x.at) : 'now') },
                {
                  label: 'Amount',
                  cell: (x) => (x.amountKes !== null ? kes(x.amountKes) : '—'),
                  className: 'num',
                },
                // The cause is a sentence: it wraps, so the table stays as wide as the page.
                { label: 'Why', cell: (x) => x.cause, className: 'wrap' },
                { label: 'Fix', cell: (x) => <Fix x={x} date={date} /> },
              ]}
            />
          )}
        </>
      )}
    </section>
  );
}

function Fix({ x, date }: { x: Discrepancy; date: string }) {
  const can = useCan();
  const fix = useFixDiscrepancy(date);
  const { label, ...body } = x.fix;
  return (
    <>
      {x.flagged ? (
        <span className="muted">Handled by {x.flagged.by}</span>
      ) : can('POST /api/admin/reports/reconciliation/fix') ? (
        <button type="button" disabled={fix.isPending} onClick={() => fix.mutate(body)}>
          {label}
        </button>
      ) : null}
      {fix.isSuccess && <span className="muted"> {fix.data.done}</span>}
      <ErrorNote error={fix.error} />
    </>
  );
}
