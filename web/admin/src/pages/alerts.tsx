/** Alerts: what is wrong now, the latest alert messages, and the settings (owner only can save). */
import { useEffect, useState } from 'react';
import type { AlertSettingsInput, AlertsView } from '../../../../src/admin/http/api-types.ts';
import { ErrorNote, Saved } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useAlerts, useSaveAlerts } from '../hooks/api/operations.ts';
import { when } from '../lib/format.ts';

type S = AlertsView['settings'];
/** Each alert's label and its number fields, in the order the form shows them. */
const ALERTS: { key: keyof S & string; label: string; fields: [string, string][] }[] = [
  { key: 'routerOffline', label: 'Router offline', fields: [['minutes', 'for more than (min)']] },
  {
    key: 'noPayments',
    label: 'No payments at a time that usually has them',
    fields: [
      ['hours', 'for (hours)'],
      ['minExpected', 'when usually at least'],
    ],
  },
  {
    key: 'mpesaFailing',
    label: 'M-Pesa refusing payment prompts',
    fields: [
      ['failures', 'refusals'],
      ['minutes', 'within (min)'],
    ],
  },
  {
    key: 'callbacksMissing',
    label: 'M-Pesa results not arriving',
    fields: [
      ['pushes', 'prompts without a result'],
      ['minutes', 'within (min)'],
    ],
  },
  { key: 'deadJobs', label: 'Background jobs giving up', fields: [['minutes', 'within (min)']] },
  {
    key: 'smsFailing',
    label: 'SMS failing',
    fields: [
      ['failures', 'failures'],
      ['minutes', 'within (min)'],
    ],
  },
];

export function AlertsPage() {
  const q = useAlerts();
  const can = useCan();
  const save = useSaveAlerts();
  const [s, setS] = useState<S | null>(null);
  const [secret, setSecret] = useState('');
  useEffect(() => {
    if (q.data && !s) setS(q.data.settings);
  }, [q.data, s]);
  const mayEdit = can('PUT /api/admin/settings/alerts');
  const set = (k: string, v: unknown) => setS((cur) => (cur ? ({ ...cur, [k]: v } as S) : cur));
  return (
    <section>
      <h1>Alerts</h1>
      <ErrorNote error={q.error} />
      {q.data && (
        <>
          <h2>Now</h2>
          {q.data.open.length === 0 ? (
            <p>Nothing is wrong.</p>
          ) : (
            <ul>
              {q.data.open.map((a) => (
                <li key={`${a.alert}:${a.subject}`} className="error">
                  <strong>{a.title}</strong> since {when(a.since)}: {a.detail}
                  {!a.notified && <span className="muted"> (held for quiet hours)</span>}
                </li>
              ))}
            </ul>
          )}
          <h2>Latest messages</h2>
          {q.data.events.length === 0 ? (
            <p className="muted">No alert has been sent yet.</p>
          ) : (
            <ul className="muted">
              {q.data.events.slice(0, 10).map((e) => (
                <li key={e.id}>
                  {when(e.at)} — {e.kind}: {e.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {s && (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            const { webhookSecretSet: _set, ...plain } = s;
            save.mutate({ ...plain, ...(secret ? { webhookSecret: secret } : {}) } as AlertSettingsInput);
          }}
        >
          <h2>Settings</h2>
          <fieldset disabled={!mayEdit}>
            <Field label="Owner's phone (alerts and the daily reconciliation SMS)">
              <input
                value={s.phone ?? ''}
                onChange={(e) => set('phone', e.target.value || null)}
                placeholder="07XX XXX XXX"
              />
            </Field>
            <Field label="Webhook URL (POST JSON)">
              <input
                value={s.webhookUrl ?? ''}
                onChange={(e) => set('webhookUrl', e.target.value || null)}
                placeholder="https://example.com/hooks/wavu"
              />
            </Field>
            <Field label={`Webhook signing secret${s.webhookSecretSet ? ' (set; type to replace)' : ''}`}>
              <input
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="off"
              />
            </Field>
            <Field label="Quiet hours, East Africa time (held until they end; dropped if fixed meanwhile)">
              <span>
                <input
                  type="time"
                  aria-label="Quiet from"
                  value={s.quietHours?.from ?? ''}
                  onChange={(e) =>
                    set(
                      'quietHours',
                      e.target.value ? { from: e.target.value, to: s.quietHours?.to ?? '06:00' } : null,
                    )
                  }
                />{' '}
                to{' '}
                <input
                  type="time"
                  aria-label="Quiet until"
                  value={s.quietHours?.to ?? ''}
                  disabled={!s.quietHours}
                  onChange={(e) => s.quietHours && set('quietHours', { ...s.quietHours, to: e.target.value })}
                />
              </span>
            </Field>
            {ALERTS.map((a) => {
              const v = s[a.key] as unknown as Record<string, number | boolean>;
              return (
                <div key={a.key} className="filters">
                  <label>
                    <input
                      type="checkbox"
                      checked={Boolean(v.enabled)}
                      onChange={(e) => set(a.key, { ...v, enabled: e.target.checked })}
                    />{' '}
                    {a.label}
                  </label>
                  {a.fields.map(([f, l]) => (
                    <label key={f}>
                      {l}{' '}
                      <input
                        type="number"
                        min={1}
                        style={{ width: '5em' }}
                        value={Number(v[f])}
                        onChange={(e) => set(a.key, { ...v, [f]: Number(e.target.value) })}
                      />
                    </label>
                  ))}
                </div>
              );
            })}
            <button type="submit" disabled={save.isPending}>
              Save
            </button>{' '}
            <Saved m={save} />
          </fieldset>
        </form>
      )}
    </section>
  );
}
