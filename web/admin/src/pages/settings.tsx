import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { get, put } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { can, ErrorNote, Field } from '../ui.tsx';

export function SettingsPage({ role }: PageProps) {
  const q = useQuery({ queryKey: ['settings'], queryFn: () => get('/settings') });
  if (!q.data) return <ErrorNote error={q.error} />;
  const owner = can(role, ['owner']);
  return (
    <section>
      <h1>Settings</h1>
      <Branding initial={q.data.branding} />
      <Mpesa initial={q.data.mpesa} editable={owner} />
      <Sms initial={q.data.sms} editable={owner} />
    </section>
  );
}

function useSave(path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => put(path, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings'] }),
  });
}

function Saved({ m }: { m: ReturnType<typeof useSave> }) {
  return (
    <>
      <ErrorNote error={m.error} />
      {m.isSuccess && <p className="ok">Saved.</p>}
    </>
  );
}

function Branding({ initial }: { initial: any }) {
  const [f, setF] = useState(initial);
  useEffect(() => setF(initial), [initial]);
  const save = useSave('/settings/branding');
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(f);
      }}
    >
      <h2>Branding</h2>
      <Field label="Business name">
        <input name="brand-name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
      </Field>
      <Field label="Colour">
        <input type="color" value={f.color} onChange={(e) => setF({ ...f, color: e.target.value })} />
      </Field>
      <Field label="Support phone">
        <input
          type="tel"
          value={f.supportPhone}
          onChange={(e) => setF({ ...f, supportPhone: e.target.value })}
        />
      </Field>
      <Saved m={save} />
      <div className="actions">
        <button type="submit">Save branding</button>
      </div>
    </form>
  );
}

function Secret({
  label,
  set,
  value,
  onChange,
  disabled,
}: {
  label: string;
  set: boolean;
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
}) {
  return (
    <Field label={`${label} ${set ? '(set — leave empty to keep)' : '(not set)'}`}>
      <input
        type="password"
        autoComplete="off"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function Mpesa({ initial, editable }: { initial: any; editable: boolean }) {
  const [f, setF] = useState({
    shortcode: initial.shortcode,
    type: initial.type,
    till: initial.till ?? '',
    consumerKey: initial.consumerKey ?? '',
  });
  const [secret, setSecret] = useState('');
  const [passkey, setPasskey] = useState('');
  const save = useSave('/settings/mpesa');
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          shortcode: f.shortcode,
          type: f.type,
          till: f.till || null,
          consumerKey: f.consumerKey || null,
          ...(secret ? { consumerSecret: secret } : {}),
          ...(passkey ? { passkey } : {}),
        });
        setSecret('');
        setPasskey('');
      }}
    >
      <h2>M-Pesa</h2>
      {!editable && <p className="muted">Only an owner can change these.</p>}
      <Field label="Shortcode (Paybill or store number)">
        <input
          value={f.shortcode}
          disabled={!editable}
          onChange={(e) => setF({ ...f, shortcode: e.target.value })}
        />
      </Field>
      <Field label="Type">
        <select value={f.type} disabled={!editable} onChange={(e) => setF({ ...f, type: e.target.value })}>
          <option value="paybill">Paybill</option>
          <option value="till">Till (Buy Goods)</option>
        </select>
      </Field>
      {f.type === 'till' && (
        <Field label="Till number">
          <input value={f.till} disabled={!editable} onChange={(e) => setF({ ...f, till: e.target.value })} />
        </Field>
      )}
      <Field label="Consumer key">
        <input
          value={f.consumerKey}
          disabled={!editable}
          onChange={(e) => setF({ ...f, consumerKey: e.target.value })}
        />
      </Field>
      <Secret
        label="Consumer secret"
        set={initial.consumerSecretSet}
        value={secret}
        onChange={setSecret}
        disabled={!editable}
      />
      <Secret
        label="Passkey"
        set={initial.passkeySet}
        value={passkey}
        onChange={setPasskey}
        disabled={!editable}
      />
      <Saved m={save} />
      {editable && (
        <div className="actions">
          <button type="submit">Save M-Pesa</button>
        </div>
      )}
    </form>
  );
}

function Sms({ initial, editable }: { initial: any; editable: boolean }) {
  const [f, setF] = useState({
    provider: initial.provider === 'africastalking' ? 'africastalking' : 'none',
    username: initial.username ?? '',
    senderId: initial.senderId ?? '',
  });
  const [key, setKey] = useState('');
  const save = useSave('/settings/sms');
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          provider: f.provider,
          username: f.username || null,
          senderId: f.senderId || null,
          ...(key ? { apiKey: key } : {}),
        });
        setKey('');
      }}
    >
      <h2>SMS</h2>
      <Field label="Provider">
        <select
          value={f.provider}
          disabled={!editable}
          onChange={(e) => setF({ ...f, provider: e.target.value })}
        >
          <option value="africastalking">Africa's Talking</option>
          <option value="none">None</option>
        </select>
      </Field>
      <Field label="Username">
        <input
          value={f.username}
          disabled={!editable}
          onChange={(e) => setF({ ...f, username: e.target.value })}
        />
      </Field>
      <Field label="Sender ID">
        <input
          value={f.senderId}
          disabled={!editable}
          onChange={(e) => setF({ ...f, senderId: e.target.value })}
        />
      </Field>
      <Secret label="API key" set={initial.apiKeySet} value={key} onChange={setKey} disabled={!editable} />
      <Saved m={save} />
      {editable && (
        <div className="actions">
          <button type="submit">Save SMS</button>
        </div>
      )}
    </form>
  );
}
