import { useState } from 'react';
import type { PageProps } from '../../app.tsx';
import type { SubscriberFilters } from '../../../../../src/admin/http/api-types.ts';
import { Badge } from '../../components/feedback.tsx';
import { SearchForm } from '../../components/forms.tsx';
import { PagedTable } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useRouters } from '../../hooks/api/routers.ts';
import { useSubscribers } from '../../hooks/api/subscribers.ts';
import { kes, phone, when } from '../../lib/format.ts';
import { SubscriberDetail } from './detail.tsx';
import { ImportSubscribers, SubscriberForm } from './forms.tsx';
import { SubscriberReportCard } from './report.tsx';
import { ServicePlans } from './service-plans.tsx';

/** PPPoE subscribers: the list (with filters), one subscriber by account number, service plans. */
export function SubscribersPage({ id, go }: PageProps) {
  if (id) return <SubscriberDetail accountNo={id} back={() => go('subscribers')} />;
  return <SubscriberList go={go} />;
}

function SubscriberList({ go }: { go: PageProps['go'] }) {
  const can = useCan();
  const [filters, setFilters] = useState<SubscriberFilters>({});
  const [panel, setPanel] = useState<'add' | 'import' | null>(null);
  const routers = useRouters().data?.items ?? [];
  const list = useSubscribers(filters);
  const set = (f: Partial<SubscriberFilters>) => setFilters({ ...filters, ...f });
  return (
    <section>
      <div className="bar-head">
        <h1>Subscribers</h1>
        <div>
          {can('POST /api/admin/subscribers/import') && (
            <button
              type="button"
              className="ghost"
              onClick={() => setPanel(panel === 'import' ? null : 'import')}
            >
              Import
            </button>
          )}{' '}
          {can('POST /api/admin/subscribers') && (
            <button type="button" onClick={() => setPanel(panel === 'add' ? null : 'add')}>
              Add subscriber
            </button>
          )}
        </div>
      </div>
      <p className="muted">Monthly and weekly PPPoE accounts. They pay with their account number.</p>
      <SubscriberReportCard />
      {panel === 'add' && (
        <SubscriberForm subscriber={null} onDone={(s) => (s ? go(`subscribers/${s}`) : setPanel(null))} />
      )}
      {panel === 'import' && <ImportSubscribers onDone={() => setPanel(null)} />}
      <SearchForm
        placeholder="Account, username, name or phone"
        label="Search subscribers"
        onSearch={(q) => set({ q: q || undefined })}
      >
        <select
          aria-label="State"
          value={filters.state ?? ''}
          onChange={(e) => set({ state: (e.target.value || undefined) as SubscriberFilters['state'] })}
        >
          <option value="">Any state</option>
          <option value="active">Active</option>
          <option value="expired">Expired</option>
          <option value="suspended">Suspended</option>
          <option value="disconnected">Closed</option>
        </select>
        <select
          aria-label="Due"
          value={filters.due ?? ''}
          onChange={(e) => set({ due: (e.target.value || undefined) as SubscriberFilters['due'] })}
        >
          <option value="">Any due date</option>
          <option value="week">Due this week</option>
          <option value="overdue">Overdue</option>
        </select>
        <select
          aria-label="Router"
          value={filters.router ?? ''}
          onChange={(e) => set({ router: e.target.value ? Number(e.target.value) : undefined })}
        >
          <option value="">Any router</option>
          {routers.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </SearchForm>
      <PagedTable
        query={list}
        rowKey={(s) => s.id}
        onRow={(s) => go(`subscribers/${s.accountNo}`)}
        columns={[
          { label: 'Account', cell: (s) => s.accountNo },
          { label: 'Username', cell: (s) => s.username },
          { label: 'Name', cell: (s) => s.name ?? '—' },
          { label: 'Phone', cell: (s) => phone(s.phone) },
          { label: 'Plan', cell: (s) => s.planName },
          { label: 'Router', cell: (s) => s.routerName ?? s.site ?? '—' },
          { label: 'State', cell: (s) => <Badge value={s.state} /> },
          { label: 'Due', cell: (s) => when(s.dueAt) },
          {
            label: 'Amount due',
            cell: (s) => (s.amountDueKes ? kes(s.amountDueKes) : '—'),
            className: 'num',
          },
        ]}
      />
      <ServicePlans />
    </section>
  );
}
