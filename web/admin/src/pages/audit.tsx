import { useState } from 'react';
import { PagedTable } from '../components/tables.tsx';
import { useAudit } from '../hooks/api/audit.ts';
import { when } from '../lib/format.ts';

export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState({ actor: '', action: '' });
  const entries = useAudit(applied);
  return (
    <section>
      <h1>Audit log</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ actor, action });
        }}
      >
        <input
          placeholder="Who (username)"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          aria-label="Who"
        />
        <input
          placeholder="What (e.g. plan. or auth.login)"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          aria-label="What"
        />
        <button type="submit">Filter</button>
      </form>
      <PagedTable
        query={entries}
        rowKey={(a) => a.id}
        columns={[
          { label: 'When', cell: (a) => when(a.at) },
          { label: 'Who', cell: (a) => a.actor },
          { label: 'What', cell: (a) => a.action },
          { label: 'Record', cell: (a) => (a.entity ? `${a.entity} ${a.entityId ?? ''}` : '—') },
          {
            label: 'Detail',
            cell: (a) => (a.detail ? <code className="detail">{JSON.stringify(a.detail)}</code> : ''),
          },
          { label: 'From', cell: (a) => a.ip ?? '' },
        ]}
      />
    </section>
  );
}
