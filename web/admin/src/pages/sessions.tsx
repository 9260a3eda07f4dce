import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { post } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, can, ErrorNote, PagedTable, when, SearchForm } from '../ui.tsx';

// Opening this list asks api-mode routers for their sessions at once (the server only enqueues
// the poll), so a refresh a few seconds later shows the answer; while open it keeps refreshing.
const REFRESH_MS = 10_000;

export function SessionsPage({ role }: PageProps) {
  const qc = useQueryClient();
  const [status, setStatus] = useState('active');
  const [search, setSearch] = useState('');
  const [done, setDone] = useState<Record<string, boolean>>({});
  const kick = useMutation({
    mutationFn: (id: string) => post(`/sessions/${id}/disconnect`),
    onSuccess: (_r, id) => {
      setDone({ ...done, [id]: true });
      qc.invalidateQueries({ queryKey: ['/sessions'] });
    },
  });
  const manage = can(role, ['owner', 'admin']);
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
      <PagedTable<any>
        path="/sessions"
        params={{ status, q: search }}
        rowKey={(s) => s.id}
        empty="Nobody online."
        refetchMs={status === 'closed' ? undefined : REFRESH_MS}
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
