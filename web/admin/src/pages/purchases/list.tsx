import { useState } from 'react';
import type { PurchaseFilters } from '../../../../../src/admin/http/api-types.ts';
import { qs } from '../../api.ts';
import type { PageProps } from '../../app.tsx';
import { Badge } from '../../components/feedback.tsx';
import { SearchForm } from '../../components/forms.tsx';
import { PagedTable } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { usePurchases } from '../../hooks/api/purchases.ts';
import { kes, phone, when } from '../../lib/format.ts';
import { CashSale } from './cash-sale.tsx';

export function PurchaseList({ go }: { go: PageProps['go'] }) {
  const can = useCan();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<PurchaseFilters['status']>();
  const [channel, setChannel] = useState<PurchaseFilters['channel']>();
  const [selling, setSelling] = useState(false);
  const purchases = usePurchases({ q: search || undefined, status, channel, limit: 50 });
  return (
    <section>
      <div className="bar-head">
        <h1>Payments</h1>
        {can('POST /api/admin/purchases/cash') && (
          <button type="button" onClick={() => setSelling(!selling)}>
            Cash sale
          </button>
        )}
        {can('GET /api/admin/exports/purchases.csv') && (
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
        <select
          value={status ?? ''}
          onChange={(e) => setStatus((e.target.value || undefined) as PurchaseFilters['status'])}
          aria-label="Status"
        >
          <option value="">Any status</option>
          {['pending', 'paid', 'failed', 'cancelled', 'expired'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select
          value={channel ?? ''}
          onChange={(e) => setChannel((e.target.value || undefined) as PurchaseFilters['channel'])}
          aria-label="Channel"
        >
          <option value="">Any channel</option>
          <option value="stk">STK push</option>
          <option value="c2b">Paybill/Till</option>
          <option value="cash">Cash</option>
        </select>
      </SearchForm>
      <PagedTable
        query={purchases}
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
