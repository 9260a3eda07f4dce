import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, get, patch, post } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, can, ErrorNote, Field, Table, when } from '../ui.tsx';

export function RoutersPage({ role }: PageProps) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['routers'], queryFn: () => get('/routers'), refetchInterval: 30_000 });
  const [editing, setEditing] = useState<any | 'new' | null>(null);
  const manage = can(role, ['owner', 'admin']);
  const done = () => {
    setEditing(null);
    qc.invalidateQueries({ queryKey: ['routers'] });
  };
  return (
    <section>
      <div className="bar-head">
        <h1>Routers</h1>
        {manage && (
          <button type="button" onClick={() => setEditing('new')}>
            Add router
          </button>
        )}
      </div>
      <ErrorNote error={q.error} />
      {editing && <RouterForm router={editing === 'new' ? null : editing} onDone={done} />}
      <Table
        rows={q.data?.items ?? []}
        rowKey={(r: any) => r.id}
        onRow={manage ? (r: any) => setEditing(r) : undefined}
        empty="No routers yet. Add your MikroTik (API mode) or any RADIUS gateway."
        columns={[
          { label: 'Name', cell: (r: any) => r.name },
          { label: 'Site', cell: (r: any) => r.site ?? '—' },
          { label: 'Mode', cell: (r: any) => r.mode },
          { label: 'Host', cell: (r: any) => r.host ?? r.nasAddress ?? '—' },
          { label: 'Status', cell: (r: any) => <Badge value={r.enabled ? r.status : 'disabled'} /> },
          { label: 'Last seen', cell: (r: any) => when(r.lastSeenAt) },
          { label: 'Online', cell: (r: any) => r.activeSessions, className: 'num' },
          { label: 'Problem', cell: (r: any) => r.lastError ?? '' },
        ]}
      />
    </section>
  );
}

function RouterForm({ router, onDone }: { router: any | null; onDone: () => void }) {
  const [f, setF] = useState<any>(
    router ?? { name: '', mode: 'api', site: '', host: '', apiTransport: 'api', username: '', enabled: true },
  );
  const [password, setPassword] = useState('');
  const [secret, setSecret] = useState('');
  const set = (k: string, v: unknown) => setF({ ...f, [k]: v });
  const save = useMutation({
    mutationFn: () => {
      const body: any = {
        name: f.name,
        mode: f.mode,
        site: f.site || null,
        host: f.host || null,
        apiTransport: f.apiTransport,
        apiPort: f.apiPort ? Number(f.apiPort) : null,
        username: f.username || null,
        hotspotServer: f.hotspotServer || null,
        nasIdentifier: f.nasIdentifier || null,
        nasAddress: f.nasAddress || null,
        enabled: f.enabled,
      };
      if (password) body.password = password;
      if (secret) body.radiusSecret = secret;
      return router ? patch(`/routers/${router.id}`, body) : post('/routers', body);
    },
    onSuccess: onDone,
  });
  const remove = useMutation({ mutationFn: () => del(`/routers/${router.id}`), onSuccess: onDone });
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2>{router ? `Edit ${router.name}` : 'Add router'}</h2>
      <Field label="Name (no spaces)">
        <input required value={f.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label="Site">
        <input value={f.site ?? ''} onChange={(e) => set('site', e.target.value)} />
      </Field>
      <Field label="Mode">
        <select value={f.mode} onChange={(e) => set('mode', e.target.value)}>
          <option value="api">MikroTik API (Wavu pushes users)</option>
          <option value="radius">RADIUS (gateway asks Wavu)</option>
        </select>
      </Field>
      {f.mode === 'api' ? (
        <>
          <Field label="Host or IP">
            <input value={f.host ?? ''} onChange={(e) => set('host', e.target.value)} />
          </Field>
          <Field label="Transport">
            <select value={f.apiTransport} onChange={(e) => set('apiTransport', e.target.value)}>
              <option value="api">API (8728)</option>
              <option value="api-tls">API over TLS (8729)</option>
              <option value="rest">REST (RouterOS 7)</option>
            </select>
          </Field>
          <Field label="API user">
            <input value={f.username ?? ''} onChange={(e) => set('username', e.target.value)} />
          </Field>
          <Field label={router?.passwordSet ? 'Password (leave empty to keep)' : 'Password'}>
            <input
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <Field label="Hotspot server name">
            <input value={f.hotspotServer ?? ''} onChange={(e) => set('hotspotServer', e.target.value)} />
          </Field>
        </>
      ) : (
        <>
          <Field label="NAS identifier">
            <input value={f.nasIdentifier ?? ''} onChange={(e) => set('nasIdentifier', e.target.value)} />
          </Field>
          <Field label="NAS IP address">
            <input value={f.nasAddress ?? ''} onChange={(e) => set('nasAddress', e.target.value)} />
          </Field>
          <Field
            label={
              router?.radiusSecretSet
                ? 'Shared secret (leave empty to keep)'
                : 'Shared secret (16+ characters)'
            }
          >
            <input
              type="password"
              autoComplete="new-password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </Field>
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} />{' '}
        Enabled
      </label>
      <ErrorNote error={save.error ?? remove.error} />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
        {router && (
          <button
            type="button"
            className="danger"
            onClick={() => confirm(`Remove ${router.name}?`) && remove.mutate()}
          >
            Remove
          </button>
        )}
      </div>
    </form>
  );
}
