import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, can, ErrorNote, PagedTable, phone, Table, when } from '../ui.tsx';
import { CashSale } from './purchases.tsx';

/** Access codes and vouchers: find, inspect, revoke; sell one for cash. */
export function VouchersPage({ role, id, go }: PageProps) {
  const [q, setQ] = useState('');
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
      <Batches />
      <h2>Codes</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <input
          type="search"
          placeholder="Code or phone"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label="Search codes"
        />
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
        <button type="submit">Search</button>
      </form>
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

function Batches() {
  const q = useQuery({ queryKey: ['batches'], queryFn: () => get('/vouchers/batches') });
  const items = q.data?.items ?? [];
  if (!items.length) return null;
  return (
    <div className="card">
      <h2>Voucher batches</h2>
      <Table
        rows={items}
        rowKey={(b: any) => b.id}
        columns={[
          { label: 'Created', cell: (b: any) => when(b.createdAt) },
          { label: 'Label', cell: (b: any) => b.label ?? '—' },
          { label: 'Plan', cell: (b: any) => b.planName },
          { label: 'Codes', cell: (b: any) => b.count, className: 'num' },
          { label: 'Unused', cell: (b: any) => b.unused, className: 'num' },
          { label: 'In use', cell: (b: any) => b.inUse, className: 'num' },
          { label: 'Expired / revoked', cell: (b: any) => `${b.expired} / ${b.revoked}`, className: 'num' },
        ]}
      />
    </div>
  );
}
