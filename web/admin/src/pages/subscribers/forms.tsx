import { useState } from 'react';
import type { Subscriber, SubscriberImportResult } from '../../../../../src/admin/http/api-types.ts';
import { ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { useRouters } from '../../hooks/api/routers.ts';
import {
  useCreateSubscriber,
  useImportSubscribers,
  useServicePlans,
  useUpdateSubscriber,
} from '../../hooks/api/subscribers.ts';

/**
 * Add a subscriber (account number made by the server), or edit one. The plan is picked only when
 * adding: afterwards it changes through "Change plan", which prices the days left.
 */
export function SubscriberForm({
  subscriber: s,
  onDone,
}: {
  subscriber: Subscriber | null;
  onDone: (accountNo: string | null) => void;
}) {
  const routers = useRouters().data?.items ?? [];
  const plans = (useServicePlans().data?.items ?? []).filter((p) => p.active);
  const [f, setF] = useState({
    username: s?.username ?? '',
    password: '',
    name: s?.name ?? '',
    phone: s?.phone ? `0${s.phone.slice(3)}` : '',
    plan: '',
    router: s?.routerId ? String(s.routerId) : '',
    site: s?.site ?? '',
    staticIp: s?.staticIp ?? '',
    dueAt: '',
  });
  const set = (k: keyof typeof f, v: string) => setF({ ...f, [k]: v });
  const create = useCreateSubscriber();
  const update = useUpdateSubscriber(s?.accountNo ?? '');
  const m = s ? update : create;
  const submit = () => {
    const common = {
      name: f.name,
      phone: f.phone,
      router: f.router ? Number(f.router) : null,
      site: f.site,
      staticIp: f.staticIp,
    };
    if (s)
      update.mutate(
        {
          ...common,
          ...(f.password ? { password: f.password } : {}),
          ...(f.dueAt ? { dueAt: f.dueAt } : {}),
        },
        { onSuccess: () => onDone(null) },
      );
    else
      create.mutate(
        {
          ...common,
          username: f.username,
          password: f.password,
          ...(f.plan ? { plan: Number(f.plan) } : {}),
          ...(f.dueAt ? { dueAt: f.dueAt } : {}),
        },
        { onSuccess: (made) => onDone(made.accountNo) },
      );
  };
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>{s ? `Edit ${s.accountNo}` : 'New subscriber'}</h2>
      {!s && (
        <Field label="PPPoE username">
          <input
            name="username"
            required
            value={f.username}
            onChange={(e) => set('username', e.target.value)}
          />
        </Field>
      )}
      <Field label={s ? 'New password (empty: keep)' : 'PPPoE password'}>
        <input
          name="password"
          required={!s}
          value={f.password}
          onChange={(e) => set('password', e.target.value)}
        />
      </Field>
      <Field label="Name">
        <input name="name" value={f.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label="Phone">
        <input name="phone" inputMode="tel" value={f.phone} onChange={(e) => set('phone', e.target.value)} />
      </Field>
      {!s && (
        <Field label="Plan">
          <select name="plan" value={f.plan} onChange={(e) => set('plan', e.target.value)}>
            <option value="">{plans[0] ? `Default (${plans[0].name})` : 'Default'}</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Router">
        <select name="router" value={f.router} onChange={(e) => set('router', e.target.value)}>
          <option value="">None (site only)</option>
          {routers.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Site">
        <input name="site" value={f.site} onChange={(e) => set('site', e.target.value)} />
      </Field>
      <Field label="Static IP (empty: from the pool)">
        <input name="staticIp" value={f.staticIp} onChange={(e) => set('staticIp', e.target.value)} />
      </Field>
      <Field label={s ? 'Move the due date to' : 'Paid up to (empty: first period due now)'}>
        <input name="dueAt" type="date" value={f.dueAt} onChange={(e) => set('dueAt', e.target.value)} />
      </Field>
      <ErrorNote error={m.error} />
      <div>
        <button type="submit" disabled={m.isPending}>
          {s ? 'Save' : 'Add subscriber'}
        </button>{' '}
        <button type="button" className="ghost" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Paste or pick a CSV or a MikroTik `/ppp secret export`; check it first, then import it whole. */
export function ImportSubscribers({ onDone }: { onDone: () => void }) {
  const routers = useRouters().data?.items ?? [];
  const [text, setText] = useState('');
  const [router, setRouter] = useState('');
  const [report, setReport] = useState<SubscriberImportResult | null>(null);
  const run = useImportSubscribers();
  const send = (dryRun: boolean) =>
    run.mutate({ text, dryRun, ...(router ? { router } : {}) }, { onSuccess: (r) => setReport(r) });
  return (
    <form className="card form-grid" onSubmit={(e) => e.preventDefault()}>
      <h2>Import subscribers</h2>
      <p className="muted">
        A CSV with the columns username,password,phone,name,plan,router,due, or the output of
        <code> /ppp secret export</code>. Nothing is imported unless every line is fine.
      </p>
      <Field label="File">
        <input
          type="file"
          accept=".csv,.rsc,.txt"
          onChange={async (e) => setText((await e.target.files?.[0]?.text()) ?? '')}
        />
      </Field>
      <Field label="Or paste it here">
        <textarea name="text" rows={6} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <Field label="Router for lines without one">
        <select name="importRouter" value={router} onChange={(e) => setRouter(e.target.value)}>
          <option value="">None</option>
          {routers.map((r) => (
            <option key={r.id} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
      </Field>
      <ErrorNote error={run.error} />
      {report && (
        <ul className="import-report">
          {[
            ...report.imported.map((i) => ({
              line: i.line,
              text: `${report.nothingImported ? 'ok' : 'imported'}: ${i.username}${i.accountNo ? ` as ${i.accountNo}` : ''} on ${i.plan}`,
            })),
            ...report.problems.map((p) => ({ line: p.line, text: `NOT imported: ${p.reason}` })),
          ]
            .sort((a, b) => a.line - b.line)
            .map((l) => (
              <li key={l.line}>
                line {l.line}: {l.text}
              </li>
            ))}
        </ul>
      )}
      <div>
        <button type="button" className="ghost" disabled={!text || run.isPending} onClick={() => send(true)}>
          Check
        </button>{' '}
        <button type="button" disabled={!text || run.isPending} onClick={() => send(false)}>
          Import
        </button>{' '}
        <button type="button" className="ghost" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}
