import { Badge, ErrorNote } from '../../components/feedback.tsx';
import { BackButton } from '../../components/layout.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { usePurchase, useResendCode, useRetryGrant } from '../../hooks/api/purchases.ts';
import { kes, phone, when } from '../../lib/format.ts';

/** One payment: its facts, its access code, and everything that happened to it in order. */
export function PurchaseDetail({ id, back }: { id: string; back: () => void }) {
  const can = useCan();
  const q = usePurchase(id);
  const retry = useRetryGrant(id);
  const resend = useResendCode(id);
  const d = q.data;
  return (
    <section>
      <BackButton label="Payments" onClick={back} />
      <ErrorNote error={q.error} />
      {d && (
        <>
          <div className="bar-head">
            <h1>
              {kes(d.purchase.amountKes)} · {d.purchase.planName} <Badge value={d.purchase.status} />
            </h1>
            {d.purchase.status === 'paid' && can('POST /api/admin/purchases/:id/resend-code') && (
              <button
                type="button"
                className="ghost"
                onClick={() =>
                  resend.mutate(d.purchase.phone ? null : prompt('Send the code to which phone?'))
                }
                disabled={resend.isPending}
              >
                Resend code by SMS
              </button>
            )}
            {d.purchase.status === 'paid' && can('POST /api/admin/purchases/:id/retry-grant') && (
              // The main action only when the router has not taken the code; else a quiet extra.
              <button
                type="button"
                className={d.grantFailed ? '' : 'ghost'}
                onClick={() => retry.mutate()}
                disabled={retry.isPending}
              >
                Retry grant
              </button>
            )}
          </div>
          <ErrorNote error={retry.error ?? resend.error} />
          {retry.isSuccess && <p className="ok">Queued: the router will be told again.</p>}
          {resend.data && <p className="ok">Code queued by SMS to {phone(resend.data.to)}.</p>}
          <dl className="facts">
            <dt>Phone</dt>
            <dd>{phone(d.purchase.phone)}</dd>
            <dt>Ref</dt>
            <dd>{d.purchase.ref}</dd>
            <dt>Receipt</dt>
            <dd>{d.purchase.receipt ?? '—'}</dd>
            <dt>Channel</dt>
            <dd>{d.purchase.channel}</dd>
            <dt>Created</dt>
            <dd>{when(d.purchase.createdAt)}</dd>
            <dt>Paid</dt>
            <dd>{when(d.purchase.paidAt)}</dd>
            <dt>Result</dt>
            <dd>{d.purchase.resultCode ? `${d.purchase.resultCode} ${d.purchase.resultDesc ?? ''}` : '—'}</dd>
            <dt>Router / device</dt>
            <dd>
              {d.purchase.routerName ?? '—'} {d.purchase.mac ?? ''}
            </dd>
            <dt>Access code</dt>
            <dd>
              {d.accessCode ? (
                <>
                  <Badge value={d.accessCode.status} /> expires {when(d.accessCode.expiresAt)} ·{' '}
                  {d.accessCode.devices.length} device(s)
                </>
              ) : (
                '—'
              )}
            </dd>
            {d.purchase.createdBy && (
              <>
                <dt>Sold by</dt>
                <dd>{d.purchase.createdBy}</dd>
              </>
            )}
          </dl>
          <h2>Timeline</h2>
          <ol className="timeline">
            {d.timeline.map((e) => (
              <li key={`${e.at}|${e.kind}|${e.title}`} className={`t-${e.kind}`}>
                <time>{when(e.at)}</time> <strong>{e.title}</strong>
                {e.detail !== undefined && (
                  <details>
                    <summary>raw</summary>
                    <pre>{JSON.stringify(e.detail, null, 2)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
