import { useState } from 'react';
import type { PageProps } from '../app.tsx';
import { Badge, ErrorNote } from '../components/feedback.tsx';
import { SearchForm } from '../components/forms.tsx';
import { BackButton } from '../components/layout.tsx';
import { PagedTable, Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useCustomer, useCustomers, useSetReminders } from '../hooks/api/customers.ts';
import { count, kes, phone, when } from '../lib/format.ts';

export function CustomersPage({ id, go }: PageProps) {
  if (id) return <Customer id={id} back={() => go('customers')} go={go} />;
  return <CustomerList go={go} />;
}

function CustomerList({ go }: { go: PageProps['go'] }) {
  const can = useCan();
  const [search, setSearch] = useState('');
  const customers = useCustomers({ q: search });
  return (
    <section>
      <div className="bar-head">
        <h1>Customers</h1>
        {can('GET /api/admin/exports/customers.csv') && (
          <a className="button ghost" href="/api/admin/exports/customers.csv">
            Export CSV
          </a>
        )}
      </div>
      <p className="muted">Everyone who paid by M-Pesa or cash, or was texted a code.</p>
      <SearchForm placeholder="Phone (or part) or name" label="Search customers" onSearch={setSearch} />
      <PagedTable
        query={customers}
        rowKey={(c) => c.id}
        onRow={(c) => go(`customers/${c.id}`)}
        columns={[
          { label: 'Phone', cell: (c) => phone(c.phone) },
          { label: 'Name', cell: (c) => c.name ?? '—' },
          { label: 'Paid', cell: (c) => c.purchases, className: 'num' },
          { label: 'Codes', cell: (c) => c.codes, className: 'num' },
          { label: 'Spent', cell: (c) => kes(c.spentKes), className: 'num' },
          { label: 'Last seen', cell: (c) => when(c.lastSeenAt) },
          { label: 'Reminders', cell: (c) => (c.remindersOff ? 'off' : 'on') },
        ]}
      />
    </section>
  );
}

function Customer({ id, back, go }: { id: string; back: () => void; go: PageProps['go'] }) {
  const q = useCustomer(id);
  const c = q.data;
  const reminders = useSetReminders(id);
  const mayToggle = useCan()('PUT /api/admin/customers/:id/reminders');
  return (
    <section>
      <BackButton label="Customers" onClick={back} />
      <ErrorNote error={q.error} />
      {c && (
        <>
          <h1>
            {phone(c.phone)} {c.name ? `· ${c.name}` : ''}
          </h1>
          <dl className="facts">
            <dt>Spent</dt>
            <dd>
              {kes(c.spentKes)} in {count(c.purchases, 'paid purchase')}
            </dd>
            <dt>First seen</dt>
            <dd>{when(c.firstSeenAt)}</dd>
            <dt>Last seen</dt>
            <dd>{when(c.lastSeenAt)}</dd>
            <dt>Expiry reminders</dt>
            <dd>
              {c.remindersOff ? 'Off (no reminder texts)' : 'On'}{' '}
              {mayToggle && (
                <button
                  type="button"
                  className="ghost"
                  disabled={reminders.isPending}
                  onClick={() => reminders.mutate(!c.remindersOff)}
                >
                  {c.remindersOff ? 'Turn reminders on' : 'Turn reminders off'}
                </button>
              )}
            </dd>
          </dl>
          <ErrorNote error={reminders.error} />
          <h2>Recent payments</h2>
          <Table
            rows={c.recentPurchases}
            rowKey={(p) => p.id}
            onRow={(p) => go(`purchases/${p.id}`)}
            columns={[
              { label: 'When', cell: (p) => when(p.createdAt) },
              { label: 'Plan', cell: (p) => p.planName },
              { label: 'Amount', cell: (p) => kes(p.amountKes), className: 'num' },
              { label: 'Status', cell: (p) => <Badge value={p.status} /> },
            ]}
          />
          <h2>Codes</h2>
          <Table
            rows={c.recentCodes}
            rowKey={(k) => k.id}
            onRow={(k) => go(`vouchers/${k.id}`)}
            columns={[
              { label: 'Issued', cell: (k) => when(k.issuedAt) },
              { label: 'Plan', cell: (k) => k.planName },
              { label: 'Kind', cell: (k) => k.kind },
              { label: 'Status', cell: (k) => <Badge value={k.status} /> },
              { label: 'Expires', cell: (k) => when(k.expiresAt) },
            ]}
          />
        </>
      )}
    </section>
  );
}
