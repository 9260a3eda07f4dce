import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post, qs } from '../api.ts';
import type { PageProps } from '../app.tsx';
import {
  Badge,
  can,
  ErrorNote,
  Field,
  kes,
  newRequestId,
  PagedTable,
  phone,
  when,
  SearchForm,
} from '../ui.tsx';

export function PurchasesPage({ role, id, go }: PageProps) {
  if (id) return <PurchaseDetail id={id} role={role} back={() => go('purchases')} />;
  return <PurchaseList role={role} go={go} />;
}

function PurchaseList({ role, go }: { role: PageProps['role']; go: PageProps['go'] }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [selling, setSelling] = useState(false);
  const params = { q: search, status, channel, limit: 50 };
  return (
    <section>
      <div className="bar-head">
        <h1>Payments</h1>
        {can(role, ['owner', 'admin', 'cashier']) && (
          <button type="button" onClick={() => setSelling(!selling)}>
            Cash sale
          </button>
        )}
        {can(role, ['owner', 'admin']) && (
          <a
            className="button ghost"
            href={`/api/admin/exports/purchases.csv${qs({ q: search, status, channel })}`}
          >
            Export CSV
          </a>
        )}
      </div>
      {selling && <CashSale onClose={() => setSelling(false)} />}
      <SearchForm
        placeholder="Phone, M-Pesa receipt, code or ref"
        label="Search payments"
        name="q"
        onSearch={setSearch}
      >
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Status">
          <option value="">Any status</option>
          {['pending', 'paid', 'failed', 'cancelled', 'expired'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
          <option value="">Any channel</option>
          <option value="stk">STK push</option>
          <option value="c2b">Paybill/Till</option>
          <option value="cash">Cash</option>
        </select>
      </SearchForm>
      <PagedTable<any>
        path="/purchases"
        params={params}
        rowKey={(p) => p.id}
        onRow={(p) => go(`purchases/${p.id}`)}
        empty={search ? 'No payment matches that search.' : 'No payments yet.'}
        columns={[
          { label: 'When', cell: (p) => when(p.createdAt) },
          { label: 'Phone', cell: (p) => phone(p.phone) },
          { label: 'Plan', cell: (p) => p.planName },
          { label: 'Amount', cell: (p) => kes(p.amountKes), className: 'num' },
          { label: 'Status', cell: (p) => <Badge value={p.status} /> },
          { label: 'Receipt', cell: (p) => p.receipt ?? (p.channel === 'cash' ? 'cash' : '—') },
          { label: 'Router', cell: (p) => p.routerName ?? '—' },
        ]}
      />
    </section>
  );
}

function PurchaseDetail({ id, role, back }: { id: string; role: PageProps['role']; back: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['purchase', id], queryFn: () => get(`/purchases/${id}`) });
  const retry = useMutation({
    mutationFn: () => post(`/purchases/${id}/retry-grant`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['purchase', id] }),
  });
  const resend = useMutation({
    mutationFn: () => {
      const to = d.purchase.phone ? undefined : prompt('Send the code to which phone?');
      return post(`/purchases/${id}/resend-code`, to ? { phone: to } : {});
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['purchase', id] }),
  });
  const d = q.data;
  return (
    <section>
      <button type="button" className="ghost" onClick={back}>
        ← Payments
      </button>
      <ErrorNote error={q.error} />
      {d && (
        <>
          <div className="bar-head">
            <h1>
              {kes(d.purchase.amountKes)} · {d.purchase.planName} <Badge value={d.purchase.status} />
            </h1>
            {d.purchase.status === 'paid' && can(role, ['owner', 'admin', 'cashier']) && (
              <>
                <button
                  type="button"
                  className="ghost"
                  onClick={() => resend.mutate()}
                  disabled={resend.isPending}
                >
                  Resend code by SMS
                </button>
                <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
                  Retry grant
                </button>
              </>
            )}
          </div>
          <ErrorNote error={retry.error ?? resend.error} />
          {retry.isSuccess && <p className="ok">Queued: the router will be told again.</p>}
          {resend.isSuccess && <p className="ok">Code queued by SMS to {phone(resend.data.to)}.</p>}
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
            {d.timeline.map((e: any) => (
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

export function CashSale({
  onClose,
  purpose = 'voucher',
}: {
  onClose: () => void;
  purpose?: 'voucher' | 'access';
}) {
  const qc = useQueryClient();
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => get('/plans') });
  const [planId, setPlanId] = useState('');
  const [tel, setTel] = useState('');
  const [sms, setSms] = useState(false);
  const [requestId, setRequestId] = useState(newRequestId);
  const sale = useMutation({
    mutationFn: () =>
      post('/purchases/cash', {
        requestId,
        planId: Number(planId),
        phone: tel,
        sendSms: sms && !!tel,
        purpose,
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['/purchases'] });
      qc.invalidateQueries({ queryKey: ['/codes'] });
    },
  });
  const active = (plans.data?.items ?? []).filter((p: any) => p.active);
  if (sale.data) {
    const plan = active.find((p: any) => p.id === Number(planId));
    return (
      <div className="card sold">
        <p>
          Sold {plan?.name} for {kes(sale.data.amountKes)}. The code:
        </p>
        <p className="code" data-testid="sold-code">
          {sale.data.code.slice(0, 5)}-{sale.data.code.slice(5)}
        </p>
        <div className="actions">
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => {
              sale.reset();
              setRequestId(newRequestId());
            }}
          >
            Sell another
          </button>
          <button type="button" className="ghost" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    );
  }
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        sale.mutate();
      }}
    >
      <h2>Cash sale</h2>
      <Field label="Plan">
        <select required value={planId} onChange={(e) => setPlanId(e.target.value)} name="plan">
          <option value="">Choose…</option>
          {active.map((p: any) => (
            <option key={p.id} value={p.id}>
              {p.name} — {kes(p.priceKes)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Customer phone (optional)">
        <input type="tel" value={tel} onChange={(e) => setTel(e.target.value)} placeholder="0712 345 678" />
      </Field>
      <label className="check">
        <input type="checkbox" checked={sms} onChange={(e) => setSms(e.target.checked)} /> Text the code to
        this phone
      </label>
      <ErrorNote error={sale.error} />
      <div className="actions">
        <button type="submit" disabled={sale.isPending}>
          Record sale and get code
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
