import { useState } from 'react';
import { Badge, ErrorNote } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useRemoveRouter, useRouters, useSaveRouter, useTestRouter } from '../hooks/api/routers.ts';
import { when } from '../lib/format.ts';
import type { Router, RouterInput, RouterPatch } from '../../../../src/admin/http/api-types.ts';

export function RoutersPage() {
  const q = useRouters();
  const [editing, setEditing] = useState<Router | 'new' | null>(null);
  const manage = useCan()('POST /api/admin/routers');
  const done = () => setEditing(null);
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
      {q.data?.warnings.map((w) => (
        <p key={w} className="warn" role="alert">
          {w}
        </p>
      ))}
      {editing && <RouterForm router={editing === 'new' ? null : editing} onDone={done} />}
      <Table
        rows={q.data?.items ?? []}
        rowKey={(r: Router) => r.id}
        onRow={manage ? (r: Router) => setEditing(r) : undefined}
        empty="No routers yet. Add your MikroTik (API mode) or any RADIUS gateway."
        columns={[
          { label: 'Name', cell: (r: Router) => r.name },
          { label: 'Site', cell: (r: Router) => r.site ?? '—' },
          { label: 'Mode', cell: (r: Router) => r.mode },
          {
            label: 'Host',
            cell: (r: Router) =>
              r.apiTransport === 'agent'
                ? 'agent (checks in)'
                : r.tunnel === 'wireguard'
                  ? `${r.tunnelAddress} (WireGuard)`
                  : (r.host ?? r.nasAddress ?? '—'),
          },
          { label: 'Status', cell: (r: Router) => <Badge value={r.enabled ? r.status : 'disabled'} /> },
          { label: 'Last seen', cell: (r: Router) => when(r.lastSeenAt) },
          {
            label: 'Online',
            cell: (r: Router) => (r.staleSessions ? `${r.activeSessions} (last known)` : r.activeSessions),
            className: 'num',
          },
          {
            label: 'Problem',
            cell: (r: Router) => [...(r.warnings ?? []), r.problem].filter(Boolean).join(' · '),
          },
        ]}
      />
    </section>
  );
}

/** What the form edits: every field as its input holds it (text until sent). */
interface RouterFormState {
  name: string;
  mode: string;
  site: string;
  host: string;
  transport: string;
  tunnel: string;
  port: string | number;
  username: string;
  hotspotServer: string;
  address: string;
  nasIdentifier: string;
  allowFrom: string;
  profile: string;
  opnsenseUrl: string;
  opnsenseZone: string | number;
  enabled: boolean;
}

/**
 * The body sent, built field by field below from what the chosen mode and transport need. Its
 * shape depends on those choices at run time, so it is checked where it belongs: by the server's
 * schema, whose 400 names the field.
 */
type RouterBody = Record<string, unknown>;

function RouterForm({ router, onDone }: { router: Router | null; onDone: () => void }) {
  const [f, setF] = useState<RouterFormState>(
    router
      ? {
          name: router.name,
          mode: router.mode,
          site: router.site ?? '',
          host: router.host ?? '',
          transport: router.apiTransport,
          tunnel: router.tunnel ?? '',
          port: router.apiPort ?? '',
          username: router.username ?? '',
          hotspotServer: router.hotspotServer ?? '',
          address: router.nasAddress ?? '',
          nasIdentifier: router.nasIdentifier ?? '',
          allowFrom: router.allowFrom ?? '',
          profile: router.profile ?? 'mikrotik',
          opnsenseUrl: router.opnsenseUrl ?? '',
          opnsenseZone: router.opnsenseZone ?? 0,
          enabled: router.enabled,
        }
      : {
          name: '',
          mode: 'api',
          site: '',
          host: '',
          transport: 'api-tls',
          tunnel: '',
          port: '',
          username: 'wavu',
          hotspotServer: '',
          address: '',
          nasIdentifier: '',
          allowFrom: '',
          profile: 'mikrotik',
          opnsenseUrl: '',
          opnsenseZone: 0,
          enabled: true,
        },
  );
  const [password, setPassword] = useState('');
  const [secret, setSecret] = useState('');
  const [opnKey, setOpnKey] = useState('');
  const [opnSecret, setOpnSecret] = useState('');
  const set = (k: keyof RouterFormState, v: unknown) => setF({ ...f, [k]: v });
  const saveRouter = useSaveRouter(router ? router.id : null);
  const save = {
    ...saveRouter,
    mutate: () => {
      const api = f.mode === 'api';
      // An agent router polls Wavu: no address, port or login to give.
      const agent = api && (f.tunnel === 'agent' || router?.apiTransport === 'agent');
      const body: RouterBody = agent
        ? { name: f.name, transport: 'agent' }
        : api
          ? { name: f.name, transport: f.transport, username: f.username }
          : { name: f.name, address: f.address };
      // With a tunnel Wavu dials the tunnel address; the host is then only a label.
      if (api && !agent && (f.host || !f.tunnel)) body.host = f.host;
      if (api && f.tunnel === 'wireguard' && !router) body.tunnel = f.tunnel;
      if (f.site) body.site = f.site;
      if (api && !agent && f.port) body.port = Number(f.port);
      if (api && f.hotspotServer) body.hotspotServer = f.hotspotServer;
      if (!api && f.nasIdentifier) body.nasIdentifier = f.nasIdentifier;
      if (!api && (f.allowFrom || router)) body.allowFrom = f.allowFrom;
      if (api && password) body.password = password;
      if (!api && secret) body.secret = secret;
      if (!api) body.profile = f.profile;
      // OPNsense's API: the URL and zone as shown; a key or secret left empty keeps the stored one.
      if (!api && f.profile === 'opnsense' && (f.opnsenseUrl || opnKey || opnSecret)) {
        if (f.opnsenseUrl) body.opnsenseUrl = f.opnsenseUrl;
        body.opnsenseZone = Number(f.opnsenseZone || 0);
        if (opnKey) body.opnsenseApiKey = opnKey;
        if (opnSecret) body.opnsenseApiSecret = opnSecret;
      }
      if (!api && f.profile === 'opnsense' && router?.opnsenseUrl && !f.opnsenseUrl) body.opnsenseUrl = null;
      saveRouter.mutate(
        (router ? { ...body, enabled: f.enabled } : { ...body, mode: f.mode }) as RouterInput | RouterPatch,
        {
          onSuccess: (r) => {
            if (!router && (r.generated?.password || r.generated?.secret || r.generated?.agentToken)) return;
            onDone();
          },
        },
      );
    },
  };
  const removeRouter = useRemoveRouter(router?.id);
  const remove = { ...removeRouter, mutate: () => removeRouter.mutate(undefined, { onSuccess: onDone }) };
  const test = useTestRouter(router?.id);
  const generated = save.data?.generated;
  if (generated?.agentToken) {
    const script = `/api/admin/routers/${save.data?.router.id}/script?agentToken=${encodeURIComponent(generated.agentToken)}`;
    return (
      <div className="card">
        <h2>Router added</h2>
        <p>
          The router checks in with Wavu using this token. It is shown only now (Wavu keeps only a hash of
          it); the setup script carries it:
        </p>
        <p className="code">{generated.agentToken}</p>
        <div className="actions">
          <a className="button" href={`${script}&routeros=7`}>
            Setup script (RouterOS 7)
          </a>
          <a className="button ghost" href={`${script}&routeros=6`}>
            Setup script (RouterOS 6.43+)
          </a>
          <button type="button" className="ghost" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }
  if (generated && (generated.password || generated.secret)) {
    return (
      <div className="card">
        <h2>Router added</h2>
        <p>
          Wavu made a {generated.password ? 'password for the API user' : 'RADIUS shared secret'}. It is shown
          only now; the setup script carries it too:
        </p>
        <p className="code">{generated.password ?? generated.secret}</p>
        <div className="actions">
          <a className="button" href={`/api/admin/routers/${save.data?.router.id}/script`}>
            Download setup script
          </a>
          <button type="button" className="ghost" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }
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
        <input value={f.site} onChange={(e) => set('site', e.target.value)} />
      </Field>
      <Field label="Mode">
        <select value={f.mode} disabled={!!router} onChange={(e) => set('mode', e.target.value)}>
          <option value="api">MikroTik API (Wavu pushes users)</option>
          <option value="radius">RADIUS (gateway asks Wavu)</option>
        </select>
      </Field>
      {f.mode === 'api' ? (
        <>
          <Field label="Reach it">
            {router ? (
              <span>
                {router.apiTransport === 'agent'
                  ? 'it checks in with Wavu (agent)'
                  : router.tunnel === 'wireguard'
                    ? `over WireGuard at ${router.tunnelAddress}`
                    : 'directly'}
              </span>
            ) : (
              <select value={f.tunnel} onChange={(e) => set('tunnel', e.target.value)}>
                <option value="">Directly (Wavu can connect to it)</option>
                <option value="wireguard">WireGuard tunnel (RouterOS 7 behind NAT)</option>
                <option value="agent">It checks in with Wavu (agent: CGNAT, 4G, Starlink)</option>
              </select>
            )}
          </Field>
          {f.tunnel !== 'agent' && router?.apiTransport !== 'agent' && (
            <>
              <Field label={f.tunnel ? 'Host or IP (optional)' : 'Host or IP'}>
                <input required={!f.tunnel} value={f.host} onChange={(e) => set('host', e.target.value)} />
              </Field>
              <Field label="Transport">
                <select value={f.transport} onChange={(e) => set('transport', e.target.value)}>
                  <option value="api-tls">API over TLS (8729)</option>
                  <option value="rest">REST over HTTPS (RouterOS 7)</option>
                  <option value="api">Plain API (8728): sends the password unencrypted</option>
                </select>
              </Field>
              <Field label="Port (empty = default)">
                <input type="number" value={f.port} onChange={(e) => set('port', e.target.value)} />
              </Field>
              <Field label="API user">
                <input value={f.username} onChange={(e) => set('username', e.target.value)} />
              </Field>
              <Field label={router ? 'Password (leave empty to keep)' : 'Password (empty = generate one)'}>
                <input
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </Field>
            </>
          )}
          <Field label="Hotspot server name">
            <input value={f.hotspotServer} onChange={(e) => set('hotspotServer', e.target.value)} />
          </Field>
        </>
      ) : (
        <>
          <Field label="Gateway">
            <select value={f.profile} onChange={(e) => set('profile', e.target.value)}>
              <option value="mikrotik">MikroTik hotspot</option>
              <option value="pfsense">pfSense captive portal</option>
              <option value="opnsense">OPNsense captive portal</option>
            </select>
          </Field>
          {f.profile === 'pfsense' && (
            <p className="muted">
              pfSense takes no disconnect requests: set “Reauthenticate connected users every minute” in its
              captive portal, and a revoked or expired code is logged off within a minute.
            </p>
          )}
          {f.profile === 'opnsense' && (
            <>
              <p className="muted">
                OPNsense takes only the time from Wavu. With an API key Wavu logs people off the moment their
                code is revoked; without one a revoked code stays online until its time runs out
                (Session-Timeout).
              </p>
              <Field label="OPNsense address for its API (optional)">
                <input
                  value={f.opnsenseUrl}
                  placeholder="https://192.168.1.1"
                  onChange={(e) => set('opnsenseUrl', e.target.value)}
                />
              </Field>
              <Field label="Captive portal zone number">
                <input
                  type="number"
                  min={0}
                  value={f.opnsenseZone}
                  onChange={(e) => set('opnsenseZone', e.target.value)}
                />
              </Field>
              <Field label={router?.opnsenseApiSet ? 'API key (leave empty to keep)' : 'API key'}>
                <input autoComplete="off" value={opnKey} onChange={(e) => setOpnKey(e.target.value)} />
              </Field>
              <Field label={router?.opnsenseApiSet ? 'API secret (leave empty to keep)' : 'API secret'}>
                <input
                  type="password"
                  autoComplete="new-password"
                  value={opnSecret}
                  onChange={(e) => setOpnSecret(e.target.value)}
                />
              </Field>
            </>
          )}
          <Field label="Router IP (sends RADIUS from)">
            <input required value={f.address} onChange={(e) => set('address', e.target.value)} />
          </Field>
          <Field label="NAS identifier">
            <input value={f.nasIdentifier} onChange={(e) => set('nasIdentifier', e.target.value)} />
          </Field>
          <Field label="Also accept RADIUS from (IPs or networks, or “any”)">
            <input
              value={f.allowFrom}
              placeholder="only the router IP"
              onChange={(e) => set('allowFrom', e.target.value)}
            />
          </Field>
          {f.allowFrom.trim().toLowerCase() === 'any' && (
            <p className="error">
              Any address: the NAS identifier and shared secret alone protect this router. Use it only for a
              router behind CGNAT.
            </p>
          )}
          <Field
            label={router ? 'Shared secret (leave empty to keep)' : 'Shared secret (empty = generate one)'}
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
      {router && (
        <label className="check">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} />{' '}
          Enabled
        </label>
      )}
      <ErrorNote error={save.error ?? remove.error ?? test.error} />
      {test.data && (
        <p className={test.data.health.ok ? 'ok' : 'error'}>
          {test.data.health.ok
            ? `Connected in ${test.data.health.latencyMs} ms.`
            : (test.data.hint ?? 'The router did not answer as expected.')}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
        {router && (
          <>
            <button type="button" className="ghost" onClick={() => test.mutate()} disabled={test.isPending}>
              {test.isPending ? 'Testing…' : 'Test connection'}
            </button>
            <a className="button ghost" href={`/api/admin/routers/${router.id}/script`}>
              Setup script
            </a>
            <button
              type="button"
              className="danger"
              onClick={() => confirm(`Remove ${router.name}?`) && remove.mutate()}
            >
              Remove
            </button>
          </>
        )}
      </div>
    </form>
  );
}
