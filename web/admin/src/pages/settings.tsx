import { type FormEvent, useEffect, useState } from 'react';
import type { MpesaInput, Settings, SmsInput } from '../../../../src/admin/http/api-types.ts';
import { ErrorNote, Saved } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { useCan } from '../hooks/api/account.ts';
import { type SettingsParts, useSaveSettings, useSettings, useSettingsCheck } from '../hooks/api/settings.ts';

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
      <Ppp initial={q.data.ppp} editable={can('PUT /api/admin/settings/ppp')} />
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

/** One check button and what came back, in plain words. */
function Check({
  path,
  label,
  body,
}: {
  path: Parameters<typeof useSettingsCheck>[0];
  label: string;
  body?: unknown;
}) {
  const c = useSettingsCheck(path);
  return (
    <div className="check">
      <button type="button" className="ghost" disabled={c.isPending} onClick={() => c.mutate(body)}>
        {label}
      </button>
      {c.data && (
        <p className={c.data.ok ? (c.data.warning ? 'warn' : 'muted') : 'error'} role="status">
          {c.data.message}
          {c.data.answer ? ` (${c.data.answer})` : ''}
        </p>
      )}
      {c.error && <ErrorNote error={c.error} />}
    </div>
  );
}

/** "set by the environment": the field's value comes from this variable and is read-only here. */
function envNote(lockedBy: Partial<Record<string, string>>, field: string): string {
  const v = lockedBy[field];
  return v ? ` — set by the environment (${v})` : '';
}

/**
 * Plain text fields of one settings form: each shows, and is locked by, the environment variable
 * that sets it.
 */
function textFields<F extends Record<string, unknown>>(
  f: F,
  setF: (next: F) => void,
  lockedBy: Partial<Record<string, string>>,
  off: (field: string) => boolean,
) {
  return (field: keyof F & string, label: string, name?: string) => (
    <Field label={`${label}${envNote(lockedBy, field)}`}>
      <input
        name={name}
        value={String(f[field] ?? '')}
        disabled={off(field)}
        onChange={(e) => setF({ ...f, [field]: e.target.value })}
      />
    </Field>
  );
}

function Secret({
  label,
  set,
  value,
  onChange,
  disabled,
  lockedBy,
}: {
  label: string;
  set: boolean;
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
  lockedBy?: string | undefined;
}) {
  const state = lockedBy
    ? `(set by the environment: ${lockedBy})`
    : set
      ? '(set — leave empty to keep)'
      : '(not set)';
  return (
    <Field label={`${label} ${state}`}>
      <input
        type="password"
        autoComplete="off"
        value={value}
        disabled={disabled || !!lockedBy}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** Only fields the environment does not set are sent: those are read-only and win anyway. */
function unlocked<T extends Record<string, unknown>>(body: T, locked: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !locked.includes(k))) as Partial<T>;
}

/**
 * What the forms with environment-set fields share: those fields are shown locked (with the
 * variable's name), and a save sends only the others, then clears the typed secrets.
 */
function useEnvLockedForm<K extends 'mpesa' | 'sms', F extends Record<string, unknown>>(
  part: K,
  initial: Settings[K],
  editable: boolean,
  f: F,
  setF: (next: F) => void,
) {
  const save = useSaveSettings(part);
  const locked = initial.locked as string[];
  const lockedBy = initial.lockedBy as Partial<Record<string, string>>;
  const off = (field: string) => !editable || locked.includes(field);
  const onSubmit = (body: () => SettingsParts[K], clearSecrets: () => void) => (e: FormEvent) => {
    e.preventDefault();
    save.mutate(unlocked(body() as Record<string, unknown>, locked) as SettingsParts[K]);
    clearSecrets();
  };
  return { save, lockedBy, off, onSubmit, text: textFields(f, setF, lockedBy, off) };
}

function Mpesa({ initial, editable }: { initial: Settings['mpesa']; editable: boolean }) {
  const [f, setF] = useState({
    environment: initial.environment as MpesaInput['environment'],
    shortcode: initial.shortcode,
    type: initial.type as MpesaInput['type'],
    till: initial.till ?? '',
    consumerKey: initial.consumerKey ?? '',
    initiatorName: initial.initiatorName ?? '',
  });
  const [secret, setSecret] = useState('');
  const [passkey, setPasskey] = useState('');
  const [initiatorPassword, setInitiatorPassword] = useState('');
  const { save, lockedBy, off, onSubmit, text } = useEnvLockedForm('mpesa', initial, editable, f, setF);
  return (
    <form
      className="card form-grid"
      onSubmit={onSubmit(
        () => ({
          environment: f.environment,
          shortcode: f.shortcode,
          type: f.type,
          till: f.till || null,
          consumerKey: f.consumerKey || null,
          initiatorName: f.initiatorName || null,
          ...(secret ? { consumerSecret: secret } : {}),
          ...(passkey ? { passkey } : {}),
          ...(initiatorPassword ? { initiatorPassword } : {}),
        }),
        () => {
          setSecret('');
          setPasskey('');
          setInitiatorPassword('');
        },
      )}
    >
      <h2>M-Pesa</h2>
      {!editable && <p className="muted">Only an owner can change these.</p>}
      {initial.missing && (
        <p className="error" data-testid="mpesa-missing">
          Customers cannot pay by STK push yet: {initial.missing} is missing.
        </p>
      )}
      <p className="muted">
        A value set by an environment variable wins and is shown read-only; otherwise what you save here is
        used from the next payment on, on every server.
      </p>
      <Field label={`Environment${envNote(lockedBy, 'environment')}`}>
        <select
          name="mpesa-environment"
          value={f.environment}
          disabled={off('environment')}
          onChange={(e) => setF({ ...f, environment: e.target.value as MpesaInput['environment'] })}
        >
          <option value="sandbox">Sandbox (testing)</option>
          <option value="production">Production (real money)</option>
        </select>
      </Field>
      {text('shortcode', 'Shortcode (Paybill or store number)', 'mpesa-shortcode')}
      <Field label={`Type${envNote(lockedBy, 'type')}`}>
        <select
          value={f.type}
          disabled={off('type')}
          onChange={(e) => setF({ ...f, type: e.target.value as MpesaInput['type'] })}
        >
          <option value="paybill">Paybill</option>
          <option value="till">Till (Buy Goods)</option>
        </select>
      </Field>
      {f.type === 'till' && text('till', 'Till number')}
      {text('consumerKey', 'Consumer key', 'mpesa-consumer-key')}
      <Secret
        label="Consumer secret"
        set={initial.consumerSecretSet}
        value={secret}
        onChange={setSecret}
        disabled={!editable}
        lockedBy={lockedBy.consumerSecret}
      />
      <Secret
        label="Passkey"
        set={initial.passkeySet}
        value={passkey}
        onChange={setPasskey}
        disabled={!editable}
        lockedBy={lockedBy.passkey}
      />
      {text('initiatorName', 'Initiator name (Transaction Status)')}
      <Secret
        label="Initiator password"
        set={initial.initiatorPasswordSet}
        value={initiatorPassword}
        onChange={setInitiatorPassword}
        disabled={!editable}
        lockedBy={lockedBy.initiatorPassword}
      />
      <Saved m={save} />
      {editable && (
        <div className="actions">
          <button type="submit">Save M-Pesa</button>
          <Check path="mpesa/test" label="Test" />
          <Check path="mpesa/register-urls" label="Register URLs" />
        </div>
      )}
    </form>
  );
}

function Sms({ initial, editable }: { initial: Settings['sms']; editable: boolean }) {
  const [testTo, setTestTo] = useState('');
  const [f, setF] = useState({
    provider: initial.provider as SmsInput['provider'],
    username: initial.username ?? '',
    senderId: initial.senderId ?? '',
  });
  const [key, setKey] = useState('');
  const { save, lockedBy, off, onSubmit, text } = useEnvLockedForm('sms', initial, editable, f, setF);
  return (
    <form
      className="card form-grid"
      onSubmit={onSubmit(
        () => ({
          provider: f.provider,
          username: f.username || null,
          senderId: f.senderId || null,
          ...(key ? { apiKey: key } : {}),
        }),
        () => setKey(''),
      )}
    >
      <h2>SMS</h2>
      <Field label={`Provider${envNote(lockedBy, 'provider')}`}>
        <select
          value={f.provider}
          disabled={off('provider')}
          onChange={(e) => setF({ ...f, provider: e.target.value as SmsInput['provider'] })}
        >
          <option value="africastalking">Africa's Talking</option>
          {initial.provider === 'sim' && <option value="sim">Simulator (demo)</option>}
          <option value="none">None</option>
        </select>
      </Field>
      {text('username', 'Username')}
      {text('senderId', 'Sender ID')}
      <Secret
        label="API key"
        set={initial.apiKeySet}
        value={key}
        onChange={setKey}
        disabled={!editable}
        lockedBy={lockedBy.apiKey}
      />
      <Saved m={save} />
      {editable && (
        <div className="actions">
          <button type="submit">Save SMS</button>
        </div>
      )}
      {editable && (
        <Field label="Send a test message to">
          <input type="tel" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
          <Check path="sms/test" label="Send test message" body={{ to: testTo }} />
        </Field>
      )}
    </form>
  );
}

/** Whole numbers typed in a field: '' is "back to the default" (null), anything else a number. */
const wholeOrNull = (v: string) => (v.trim() === '' ? null : Number(v));

const pppForm = (s: Settings['ppp']) => ({
  expiredPool: s.expiredPool,
  interimSeconds: String(s.interimSeconds),
  remindDays: String(s.remindDays),
});

function Ppp({ initial, editable }: { initial: Settings['ppp']; editable: boolean }) {
  const [f, setF] = useState(() => pppForm(initial));
  useEffect(() => setF(pppForm(initial)), [initial]);
  const save = useSaveSettings('ppp');
  const d = initial.defaults;
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          expiredPool: f.expiredPool.trim() || null,
          interimSeconds: wholeOrNull(f.interimSeconds),
          remindDays: wholeOrNull(f.remindDays),
        });
      }}
    >
      <h2>PPPoE subscribers</h2>
      <Field label={`Expired pool (the router's pool and PPP profile; default ${d.expiredPool})`}>
        <input
          name="ppp-expired-pool"
          value={f.expiredPool}
          disabled={!editable}
          onChange={(e) => setF({ ...f, expiredPool: e.target.value })}
        />
      </Field>
      <Field label={`Interim accounting, seconds (60 to 86400; default ${d.interimSeconds})`}>
        <input
          name="ppp-interim-seconds"
          type="number"
          min={60}
          max={86400}
          value={f.interimSeconds}
          disabled={!editable}
          onChange={(e) => setF({ ...f, interimSeconds: e.target.value })}
        />
      </Field>
      <Field label={`Reminder SMS, days before the due date (0 = off; default ${d.remindDays})`}>
        <input
          name="ppp-remind-days"
          type="number"
          min={0}
          max={30}
          value={f.remindDays}
          disabled={!editable}
          onChange={(e) => setF({ ...f, remindDays: e.target.value })}
        />
      </Field>
      <Saved m={save} />
      {editable && (
        <div className="actions">
          <button type="submit">Save PPPoE</button>
        </div>
      )}
    </form>
  );
}
