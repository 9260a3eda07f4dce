import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, can, ErrorNote, Field, PagedTable, phone, Table, when, SearchForm } from '../ui.tsx';
import { CashSale } from './purchases.tsx';

/** Access codes and vouchers: find, inspect, revoke; sell one for cash. */
export function VouchersPage({ role, id, go }: PageProps) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [selling, setSelling] = useState(false);
  if (id) return <CodeDetail id={id} role={role} back={() => go('vouchers')} />;
  return (
    <section>
      <div className="bar-head">
        <h1>Vouchers & codes</h1>
        {can(role, ['owner', 'admin', 'cashier']) && (
          <button type="button" onClick={() => setSelling(!selling)}>
            Sell a voucher
          </button>
        )}
      </div>
      {selling && <CashSale purpose="voucher" onClose={() => setSelling(false)} />}
      <Batches role={role} />
      <h2>Codes</h2>
      <SearchForm placeholder="Code or phone" label="Search codes" onSearch={setSearch}>
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Status">
          <option value="">Any status</option>
          {['issued', 'active', 'expired', 'revoked'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Kind">
          <option value="">Vouchers and purchases</option>
          <option value="voucher">Vouchers</option>
          <option value="purchase">Bought online</option>
        </select>
      </SearchForm>
      <PagedTable<any>
        path="/codes"
        params={{ q: search, status, kind }}
        rowKey={(c) => c.id}
        onRow={(c) => go(`vouchers/${c.id}`)}
        columns={[
          { label: 'Issued', cell: (c) => when(c.issuedAt) },
          { label: 'Plan', cell: (c) => c.planName },
          { label: 'Kind', cell: (c) => c.kind },
          { label: 'Status', cell: (c) => <Badge value={c.status} /> },
          { label: 'Phone', cell: (c) => phone(c.phone) },
          { label: 'Expires', cell: (c) => when(c.expiresAt) },
        ]}
      />
    </section>
  );
}

function CodeDetail({ id, role, back }: { id: string; role: PageProps['role']; back: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['code', id], queryFn: () => get(`/codes/${id}`) });
  const revoke = useMutation({
    mutationFn: () => post(`/codes/${id}/revoke`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['code', id] }),
  });
  const c = q.data;
  return (
    <section>
      <button type="button" className="ghost" onClick={back}>
        ← Codes
      </button>
      <ErrorNote error={q.error ?? revoke.error} />
      {c && (
        <>
          <div className="bar-head">
            <h1>
              {c.planName} <Badge value={c.status} />
            </h1>
            {can(role, ['owner', 'admin']) && (c.status === 'issued' || c.status === 'active') && (
              <button
                type="button"
                className="danger"
                onClick={() => confirm('Revoke this code? It goes offline everywhere.') && revoke.mutate()}
              >
                Revoke
              </button>
            )}
          </div>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{c.kind}</dd>
            <dt>Issued</dt>
            <dd>{when(c.issuedAt)}</dd>
            <dt>Activated</dt>
            <dd>{when(c.activatedAt)}</dd>
            <dt>Expires</dt>
            <dd>{when(c.expiresAt)}</dd>
            <dt>Used</dt>
            <dd>
              {Math.round(c.usedSeconds / 60)} min · {(c.usedBytes / 1e6).toFixed(1)} MB
            </dd>
            <dt>Devices</dt>
            <dd>{c.boundDevices.map((d: any) => d.mac).join(', ') || '—'}</dd>
          </dl>
          <h2>Sessions</h2>
          <ul className="plain">
            {c.sessions.map((s: any) => (
              <li key={s.id}>
                {when(s.startedAt)} – {s.stoppedAt ? when(s.stoppedAt) : 'now'} · {s.router ?? '—'} · {s.mac}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Batches({ role }: { role: PageProps['role'] }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['batches'], queryFn: () => get('/vouchers/batches') });
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => get('/plans') });
  const [form, setForm] = useState<'make' | 'import' | null>(null);
  const [f, setF] = useState({
    planId: '',
    count: '20',
    label: '',
    validDays: '',
    sellOnline: false,
    text: '',
  });
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ['batches'] });
    qc.invalidateQueries({ queryKey: ['/codes'] });
  };
  const make = useMutation({
    mutationFn: () =>
      post('/vouchers/batches', {
        planId: Number(f.planId),
        count: Number(f.count),
        ...(f.label ? { label: f.label } : {}),
        ...(f.validDays ? { validDays: Number(f.validDays) } : {}),
        sellOnline: f.sellOnline,
      }),
    onSuccess: refresh,
  });
  const imp = useMutation({
    mutationFn: () =>
      post('/vouchers/import', {
        planId: Number(f.planId),
        text: f.text,
        ...(f.label ? { label: f.label } : {}),
        sellOnline: f.sellOnline,
      }),
    onSuccess: refresh,
  });
  const items = q.data?.items ?? [];
  const sales = can(role, ['owner', 'admin', 'cashier']);
  const manage = can(role, ['owner', 'admin']);
  const planSelect = (
    <Field label="Plan">
      <select required value={f.planId} onChange={(e) => setF({ ...f, planId: e.target.value })}>
        <option value="">Choose…</option>
        {(plans.data?.items ?? []).map((p: any) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <div className="card">
      <div className="bar-head">
        <h2>Voucher batches</h2>
        {sales && (
          <button type="button" onClick={() => setForm(form === 'make' ? null : 'make')}>
            Make vouchers
          </button>
        )}
        {manage && (
          <button
            type="button"
            className="ghost"
            onClick={() => setForm(form === 'import' ? null : 'import')}
          >
            Import
          </button>
        )}
      </div>
      {form === 'make' && (
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            make.mutate();
          }}
        >
          {planSelect}
          <Field label="How many">
            <input
              type="number"
              min={1}
              max={100000}
              required
              value={f.count}
              onChange={(e) => setF({ ...f, count: e.target.value })}
            />
          </Field>
          <Field label="Label (optional)">
            <input value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} />
          </Field>
          <Field label="First use within days (optional)">
            <input
              type="number"
              min={1}
              value={f.validDays}
              onChange={(e) => setF({ ...f, validDays: e.target.value })}
            />
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={f.sellOnline}
              onChange={(e) => setF({ ...f, sellOnline: e.target.checked })}
            />{' '}
            Stock for online and cash sale (not printed)
          </label>
          <ErrorNote error={make.error} />
          {make.data && <p className="ok">Made {make.data.count} vouchers.</p>}
          <div className="actions">
            <button type="submit" disabled={make.isPending}>
              Make
            </button>
          </div>
        </form>
      )}
      {form === 'import' && (
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            imp.mutate();
          }}
        >
          {planSelect}
          <Field label="Label (optional)">
            <input value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} />
          </Field>
          <Field label="Codes: MikroTik /ip hotspot user lines, CSV, or one per line">
            <textarea
              rows={6}
              required
              value={f.text}
              onChange={(e) => setF({ ...f, text: e.target.value })}
            />
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={f.sellOnline}
              onChange={(e) => setF({ ...f, sellOnline: e.target.checked })}
            />{' '}
            Stock for online and cash sale
          </label>
          <ErrorNote error={imp.error} />
          {imp.data && (
            <p className="ok">
              Imported {imp.data.imported}
              {imp.data.problems.length ? `; ${imp.data.problems.length} line(s) skipped` : ''}.
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={imp.isPending}>
              Import
            </button>
          </div>
        </form>
      )}
      {items.length > 0 && (
        <Table
          rows={items}
          rowKey={(b: any) => b.id}
          columns={[
            { label: 'Created', cell: (b: any) => when(b.createdAt) },
            { label: 'Label', cell: (b: any) => b.label ?? '—' },
            { label: 'Plan', cell: (b: any) => b.planName },
            { label: 'Kind', cell: (b: any) => (b.sellOnline ? 'online stock' : 'paper') },
            { label: 'Codes', cell: (b: any) => b.count, className: 'num' },
            { label: 'Unused', cell: (b: any) => b.unused, className: 'num' },
            { label: 'In use', cell: (b: any) => b.inUse, className: 'num' },
            {
              label: 'Sheets',
              cell: (b: any) =>
                b.sellOnline || !sales ? (
                  ''
                ) : (
                  <span className="row-actions">
                    <a href={`/api/admin/vouchers/batches/${b.id}/print`} target="_blank" rel="noreferrer">
                      Print
                    </a>
                    <a
                      href={`/api/admin/vouchers/batches/${b.id}/print.pdf`}
                      target="_blank"
                      rel="noreferrer"
                    >
                      PDF
                    </a>
                    {manage && <a href={`/api/admin/vouchers/batches/${b.id}/export.csv`}>CSV</a>}
                  </span>
                ),
            },
          ]}
        />
      )}
    </div>
  );
}
