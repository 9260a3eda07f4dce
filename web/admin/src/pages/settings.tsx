import { useEffect, useState } from 'react';
import type { MpesaInput, Settings, SmsInput } from '../../../../src/admin/http/api-types.ts';
import { ErrorNote, Saved } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useSaveSettings, useSettings } from '../hooks/api/settings.ts';

export function SettingsPage() {
  const q = useSettings();
  const can = useCan();
  if (!q.data) return <ErrorNote error={q.error} />;
  return (
    <section>
      <h1>Settings</h1>
      <Branding initial={q.data.branding} />
      <Mpesa initial={q.data.mpesa} editable={can('PUT /api/admin/settings/mpesa')} />
      <Sms initial={q.data.sms} editable={can('PUT /api/admin/settings/sms')} />
    </section>
  );
}

function Branding({ initial }: { initial: Settings['branding'] }) {
  const [f, setF] = useState(initial);
  useEffect(() => setF(initial), [initial]);
  const save = useSaveSettings('branding');
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

function Mpesa({ initial, editable }: { initial: Settings['mpesa']; editable: boolean }) {
  const [f, setF] = useState({
    shortcode: initial.shortcode,
    type: initial.type as MpesaInput['type'],
    till: initial.till ?? '',
    consumerKey: initial.consumerKey ?? '',
  });
  const [secret, setSecret] = useState('');
  const [passkey, setPasskey] = useState('');
  const save = useSaveSettings('mpesa');
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
        <select
          value={f.type}
          disabled={!editable}
          onChange={(e) => setF({ ...f, type: e.target.value as MpesaInput['type'] })}
        >
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

function Sms({ initial, editable }: { initial: Settings['sms']; editable: boolean }) {
  const [f, setF] = useState({
    provider: (initial.provider === 'africastalking' ? 'africastalking' : 'none') as SmsInput['provider'],
    username: initial.username ?? '',
    senderId: initial.senderId ?? '',
  });
  const [key, setKey] = useState('');
  const save = useSaveSettings('sms');
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
          onChange={(e) => setF({ ...f, provider: e.target.value as SmsInput['provider'] })}
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
