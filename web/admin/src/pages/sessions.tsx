import { useState } from 'react';
import { Badge, ErrorNote } from '../components/feedback.tsx';
import { SearchForm } from '../components/forms.tsx';
import { PagedTable } from '../components/tables.tsx';
import type { SessionFilters } from '../../../../src/admin/http/api-types.ts';
import { useCan } from '../hooks/api/account.ts';
import { useDisconnectSession, useSessions } from '../hooks/api/sessions.ts';
import { when } from '../lib/format.ts';

// Opening this list asks api-mode routers for their sessions at once (the server only enqueues
// the poll), so a refresh a few seconds later shows the answer; while open it keeps refreshing.
const REFRESH_MS = 10_000;

export function SessionsPage() {
  const [status, setStatus] = useState('active');
  const [search, setSearch] = useState('');
  const [done, setDone] = useState<Record<string, boolean>>({});
  const kick = useDisconnectSession((id) => setDone({ ...done, [id]: true }));
  const manage = useCan()('POST /api/admin/sessions/:id/disconnect');
  const sessions = useSessions(
    { status: status as SessionFilters['status'], q: search || undefined },
    status === 'closed' ? undefined : REFRESH_MS,
  );
  return (
    <section>
      <h1>Sessions</h1>
      <SearchForm placeholder="MAC, IP or username" label="Search sessions" onSearch={setSearch}>
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Status">
          <option value="active">Online now</option>
          <option value="closed">Ended</option>
          <option value="all">All</option>
        </select>
      </SearchForm>
      <ErrorNote error={kick.error} />
      <PagedTable
        query={sessions}
        rowKey={(s) => s.id}
        empty="Nobody online."
        columns={[
          { label: 'Since', cell: (s) => when(s.startedAt) },
          {
            label: 'State',
            cell: (s) =>
              s.staleSince ? (
                <span title={`Router not reachable since ${when(s.staleSince)}; figures as last reported`}>
                  <Badge value="stale" />
                </span>
              ) : (
                <Badge value={s.status} />
              ),
          },
          { label: 'Router', cell: (s) => s.routerName ?? '—' },
          { label: 'Device', cell: (s) => s.mac ?? '—' },
          { label: 'IP', cell: (s) => s.ip ?? '—' },
          { label: 'Plan', cell: (s) => s.planName ?? '—' },
          {
            label: 'Data',
            cell: (s) => `${((s.bytesIn + s.bytesOut) / 1e6).toFixed(1)} MB`,
            className: 'num',
          },
          {
            label: '',
            cell: (s) =>
              manage && s.status === 'active' ? (
                done[s.id] ? (
                  <span className="muted">disconnecting…</span>
                ) : (
                  <button type="button" className="small danger" onClick={() => kick.mutate(s.id)}>
                    Disconnect
                  </button>
                )
              ) : null,
          },
        ]}
      />
    </section>
  );
}
