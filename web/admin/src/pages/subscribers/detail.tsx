import { useState } from 'react';
import { Badge, ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { BackButton } from '../../components/layout.tsx';
import { Table } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import {
  useChangePlan,
  usePlanChangeQuote,
  useServicePlans,
  useSubscriber,
  useSubscriberAction,
} from '../../hooks/api/subscribers.ts';
import { kes, phone, when } from '../../lib/format.ts';
import { SubscriberForm } from './forms.tsx';

export function SubscriberDetail({ accountNo, back }: { accountNo: string; back: () => void }) {
  const q = useSubscriber(accountNo);
  const can = useCan();
  const action = useSubscriberAction(accountNo);
  const [editing, setEditing] = useState(false);
  const d = q.data;
  const s = d?.subscriber;
  return (
    <section>
      <BackButton label="Subscribers" onClick={back} />
      <ErrorNote error={q.error} />
      {s && d && (
        <>
          <div className="bar-head">
            <h1>
              {s.accountNo} · {s.username} {s.name ? `· ${s.name}` : ''} <Badge value={s.state} />
            </h1>
            <div>
              {can('PATCH /api/admin/subscribers/:id') && s.state !== 'disconnected' && (
                <button type="button" className="ghost" onClick={() => setEditing(!editing)}>
                  Edit
                </button>
              )}{' '}
              {can('POST /api/admin/subscribers/:id/suspend') &&
                (s.state === 'active' || s.state === 'expired') && (
                  <button
                    type="button"
                    className="ghost"
                    disabled={action.isPending}
                    onClick={() => action.mutate('suspend')}
                  >
                    Suspend
                  </button>
                )}
              {can('POST /api/admin/subscribers/:id/resume') && s.state === 'suspended' && (
                <button type="button" disabled={action.isPending} onClick={() => action.mutate('resume')}>
                  Resume
                </button>
              )}{' '}
              {can('POST /api/admin/subscribers/:id/resend') && s.routerName && (
                <button
                  type="button"
                  className="ghost"
                  disabled={action.isPending}
                  title="Put the subscriber on the router again (a reset router, or a sync that gave up)"
                  onClick={() => action.mutate('resend')}
                >
                  Resend to router
                </button>
              )}
            </div>
          </div>
          <ErrorNote error={action.error} />
          {action.isSuccess && action.variables === 'resend' && (
            <p className="note" role="status">
              Queued: the router gets the subscriber's current settings in a moment.
            </p>
          )}
          {editing && <SubscriberForm subscriber={s} onDone={() => setEditing(false)} />}
          <dl className="facts">
            <dt>Plan</dt>
            <dd>
              {s.planName}, {kes(s.priceKes)} a {s.period}
            </dd>
            <dt>Router</dt>
            <dd>
              {s.routerName ?? '—'}
              {s.site ? ` · site ${s.site}` : ''}
            </dd>
            <dt>Phone</dt>
            <dd>{phone(s.phone)}</dd>
            <dt>Due</dt>
            <dd>
              {when(s.dueAt)} (grace until {when(s.graceEndsAt)})
            </dd>
            <dt>Amount due now</dt>
            <dd>
              {kes(s.amountDueKes)} (balance {kes(s.balanceKes)}
              {s.owedKes ? `, owed from a plan change ${kes(s.owedKes)}` : ''})
            </dd>
            <dt>Static IP</dt>
            <dd>{s.staticIp ?? '— (from the pool)'}</dd>
          </dl>
          {can('POST /api/admin/subscribers/:id/plan') && s.state !== 'disconnected' && (
            <ChangePlan accountNo={s.accountNo} currentPlanId={s.servicePlanId} />
          )}
          <h2>Payments</h2>
          <Table
            rows={d.payments}
            rowKey={(p) => p.id}
            empty="No payments yet."
            columns={[
              { label: 'When', cell: (p) => when(p.createdAt) },
              { label: 'Amount', cell: (p) => kes(p.amountKes), className: 'num' },
              { label: 'Periods', cell: (p) => p.periods, className: 'num' },
              { label: 'Due after', cell: (p) => when(p.dueAfter) },
              { label: 'Balance after', cell: (p) => kes(p.balanceAfterKes), className: 'num' },
            ]}
          />
          <h2>PPP sessions</h2>
          <Table
            rows={d.sessions}
            rowKey={(x) => x.id}
            empty="No sessions yet."
            columns={[
              { label: 'Started', cell: (x) => when(x.startedAt) },
              { label: 'Address', cell: (x) => x.framedIp ?? '—' },
              { label: 'Caller', cell: (x) => x.callerId ?? '—' },
              {
                label: 'Down / up',
                cell: (x) => `${Math.round(x.bytesOut / 1e6)} / ${Math.round(x.bytesIn / 1e6)} MB`,
              },
              {
                label: 'Ended',
                cell: (x) => (x.stoppedAt ? `${when(x.stoppedAt)} ${x.stopCause ?? ''}` : 'online'),
              },
            ]}
          />
        </>
      )}
    </section>
  );
}

/** Pick a plan, read what it costs now (the server's sentence), then confirm. */
function ChangePlan({ accountNo, currentPlanId }: { accountNo: string; currentPlanId: number }) {
  const plans = (useServicePlans().data?.items ?? []).filter((p) => p.active && p.id !== currentPlanId);
  const [plan, setPlan] = useState('');
  const quote = usePlanChangeQuote(accountNo, plan);
  const change = useChangePlan(accountNo);
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate(plan, { onSuccess: () => setPlan('') });
      }}
    >
      <h2>Change plan</h2>
      <Field label="New plan">
        <select name="plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
          <option value="">Pick a plan</option>
          {plans.map((p) => (
            <option key={p.id} value={p.name}>
              {p.name} ({kes(p.priceKes)} a {p.period})
            </option>
          ))}
        </select>
      </Field>
      {quote.data && <p className="proration">{quote.data.text}</p>}
      <ErrorNote error={quote.error ?? change.error} />
      <div>
        <button type="submit" disabled={!quote.data || change.isPending}>
          Confirm change
        </button>
      </div>
    </form>
  );
}
