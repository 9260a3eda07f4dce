import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, can, ErrorNote, kes, PagedTable, phone, Table, when, SearchForm } from '../ui.tsx';

export function CustomersPage({ role, id, go }: PageProps) {
  const [search, setSearch] = useState('');
  if (id) return <Customer id={id} back={() => go('customers')} go={go} />;
  return (
    <section>
      <div className="bar-head">
        <h1>Customers</h1>
        {can(role, ['owner', 'admin']) && (
          <a className="button ghost" href="/api/admin/exports/customers.csv">
            Export CSV
          </a>
        )}
      </div>
      <SearchForm placeholder="Phone or name" label="Search customers" onSearch={setSearch} />
      <PagedTable<any>
        path="/customers"
        params={{ q: search }}
        rowKey={(c) => c.id}
        onRow={(c) => go(`customers/${c.id}`)}
        columns={[
          { label: 'Phone', cell: (c) => phone(c.phone) },
          { label: 'Name', cell: (c) => c.name ?? '—' },
          { label: 'Paid', cell: (c) => c.purchases, className: 'num' },
          { label: 'Spent', cell: (c) => kes(c.spentKes), className: 'num' },
          { label: 'Last paid', cell: (c) => when(c.lastPaidAt) },
        ]}
      />
    </section>
  );
}

function Customer({ id, back, go }: { id: string; back: () => void; go: PageProps['go'] }) {
  const q = useQuery({ queryKey: ['customer', id], queryFn: () => get(`/customers/${id}`) });
  const c = q.data;
  return (
    <section>
      <button type="button" className="ghost" onClick={back}>
        ← Customers
      </button>
      <ErrorNote error={q.error} />
      {c && (
        <>
          <h1>
            {phone(c.phone)} {c.name ? `· ${c.name}` : ''}
          </h1>
          <p>
            {c.purchases} paid purchases · {kes(c.spentKes)}
          </p>
          <h2>Recent payments</h2>
          <Table
            rows={c.recentPurchases}
            rowKey={(p: any) => p.id}
            onRow={(p: any) => go(`purchases/${p.id}`)}
            columns={[
              { label: 'When', cell: (p: any) => when(p.createdAt) },
              { label: 'Plan', cell: (p: any) => p.planName },
              { label: 'Amount', cell: (p: any) => kes(p.amountKes), className: 'num' },
              { label: 'Status', cell: (p: any) => <Badge value={p.status} /> },
            ]}
          />
        </>
      )}
    </section>
  );
}
