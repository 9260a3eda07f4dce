/**
 * Payment accounts: the M-Pesa Paybills and Tills, which routers and sites each one takes the
 * payments of, and Test / Register URLs per account with Daraja's answer in plain words. The main
 * account's credentials are edited under Settings → M-Pesa (where environment locks show).
 */
import { useState } from 'react';
import type {
  PaymentAccount,
  PaymentAccountInput,
  PaymentAccountPatch,
} from '../../../../src/admin/http/api-types.ts';
import { ErrorNote, Saved } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import {
  usePaymentAccountCheck,
  usePaymentAccounts,
  useSavePaymentAccount,
} from '../hooks/api/payment-accounts.ts';
import { useRouters } from '../hooks/api/routers.ts';

export function PaymentAccountsPage() {
  const q = usePaymentAccounts();
  const can = useCan();
  const [editing, setEditing] = useState<number | null>(null);
  if (!q.data) return <ErrorNote error={q.error} />;
  const edited = q.data.items.find((a) => a.id === editing);
  return (
    <section>
      <h1>Payment accounts</h1>
      <p className="muted">
        Each router takes payments into its own account, else its site&apos;s, else the main account.
      </p>
      <div className="card">
        <Table
          rows={q.data.items}
          rowKey={(a) => a.id}
          columns={[
            { label: 'Account', cell: (a) => a.name + (a.isDefault ? ' (main)' : '') },
            {
              label: 'Type',
              cell: (a) =>
                a.type === 'till' ? `Till ${a.till} · store ${a.shortcode}` : `Paybill ${a.shortcode}`,
            },
            { label: 'Environment', cell: (a) => a.environment },
            { label: 'Routers / sites', cell: (a) => assigned(a) },
            {
              label: 'State',
              cell: (a) => (a.missing ? `missing ${a.missing}` : a.testedAt ? 'tested' : 'not tested'),
            },
            {
              label: 'Check',
              cell: (a) => (can('POST /api/admin/payment-accounts/:id/test') ? <Checks id={a.id} /> : null),
            },
            {
              label: 'Change',
              cell: (a) =>
                can('PATCH /api/admin/payment-accounts/:id') ? (
                  <button
                    type="button"
                    className="ghost"
                    aria-label={`Edit ${a.name}`}
                    onClick={() => setEditing(a.id)}
                  >
                    Edit
                  </button>
                ) : null,
            },
          ]}
        />
      </div>
      {edited && <AccountForm key={edited.id} account={edited} onDone={() => setEditing(null)} />}
      {!edited && can('POST /api/admin/payment-accounts') && <AccountForm />}
    </section>
  );
}

function assigned(a: PaymentAccount): string {
  const parts = [
    a.routerIds.length ? `${a.routerIds.length} router${a.routerIds.length > 1 ? 's' : ''}` : '',
    ...a.sites.map((s) => `site ${s}`),
  ].filter(Boolean);
  return parts.join(', ') || (a.isDefault ? 'everything else' : 'none');
}

function Checks({ id }: { id: number }) {
  const test = usePaymentAccountCheck(id, 'test');
  const reg = usePaymentAccountCheck(id, 'register-urls');
  const answer = test.data ?? reg.data;
  return (
    <div>
      <div className="actions">
        <button type="button" className="ghost" disabled={test.isPending} onClick={() => test.mutate()}>
          Test
        </button>
        <button type="button" className="ghost" disabled={reg.isPending} onClick={() => reg.mutate()}>
          Register URLs
        </button>
      </div>
      {answer && (
        <p
          className={`check-answer ${answer.ok ? (answer.warning ? 'warn' : 'muted') : 'error'}`}
          role="status"
        >
          {answer.message}
          {answer.answer ? ` (${answer.answer})` : ''}
        </p>
      )}
      <ErrorNote error={test.error ?? reg.error} />
    </div>
  );
}

const EMPTY = {
  name: '',
  type: 'paybill' as 'paybill' | 'till',
  shortcode: '',
  till: '',
  environment: 'sandbox' as 'sandbox' | 'production',
  consumerKey: '',
  consumerSecret: '',
  passkey: '',
  sites: '',
};

/** The form's fields for an account being changed: its values, with the write-only secrets blank. */
function fieldsOf(a: PaymentAccount): typeof EMPTY {
  return {
    ...EMPTY,
    name: a.name,
    type: a.type,
    shortcode: a.shortcode,
    till: a.till ?? '',
    environment: a.environment,
    consumerKey: a.consumerKey ?? '',
    sites: a.sites.join(', '),
  };
}

/**
 * The request body of the form, for adding and changing alike. A secret left blank is left out:
 * on a change it stays as it is, on an add the server names it as required.
 */
function bodyOf(f: typeof EMPTY, routerIds: number[]): PaymentAccountInput {
  return {
    name: f.name,
    type: f.type,
    shortcode: f.shortcode,
    environment: f.environment,
    consumerKey: f.consumerKey,
    ...(f.consumerSecret ? { consumerSecret: f.consumerSecret } : {}),
    ...(f.passkey ? { passkey: f.passkey } : {}),
    routerIds,
    sites: f.sites
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(f.type === 'till' ? { till: f.till } : {}),
  };
}

/**
 * Add an account, or change one (`account`). Secrets are write-only: left blank they stay as
 * they are. The main account's credentials live under Settings → M-Pesa (with their environment
 * locks), so here it only gets its name and its routers and sites.
 */
function AccountForm({ account, onDone }: { account?: PaymentAccount; onDone?: () => void }) {
  const [f, setF] = useState(account ? fieldsOf(account) : EMPTY);
  const [routerIds, setRouterIds] = useState<number[]>(account?.routerIds ?? []);
  const routers = useRouters();
  const save = useSavePaymentAccount(account?.id ?? null);
  const credentials = !account?.isDefault;
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        const body = bodyOf(f, routerIds);
        if (!account) return save.mutate(body, { onSuccess: () => setF(EMPTY) });
        const change: PaymentAccountPatch = credentials
          ? body
          : { name: body.name, routerIds: body.routerIds, sites: body.sites };
        save.mutate(change, { onSuccess: () => onDone?.() });
      }}
    >
      <h2>{account ? `Change ${account.name}` : 'Add an account'}</h2>
      {account && !credentials && (
        <p className="muted">Its number and keys are set under Settings → M-Pesa.</p>
      )}
      <Field label="Name">
        <input name="account-name" value={f.name} onChange={set('name')} />
      </Field>
      {credentials && (
        <>
          <Field label="Type">
            <select value={f.type} onChange={set('type')}>
              <option value="paybill">Paybill</option>
              <option value="till">Till (Buy Goods)</option>
            </select>
          </Field>
          <Field label={f.type === 'till' ? 'Store number (head office)' : 'Paybill number'}>
            <input
              name="account-shortcode"
              inputMode="numeric"
              value={f.shortcode}
              onChange={set('shortcode')}
            />
          </Field>
          {f.type === 'till' && (
            <Field label="Till number">
              <input name="account-till" inputMode="numeric" value={f.till} onChange={set('till')} />
            </Field>
          )}
          <Field label="Environment">
            <select value={f.environment} onChange={set('environment')}>
              <option value="sandbox">Sandbox</option>
              <option value="production">Production</option>
            </select>
          </Field>
          <Field label="Consumer key">
            <input
              name="account-key"
              autoComplete="off"
              value={f.consumerKey}
              onChange={set('consumerKey')}
            />
          </Field>
          <Field label="Consumer secret">
            <input
              type="password"
              autoComplete="off"
              placeholder={account?.consumerSecretSet ? 'set (leave blank to keep)' : undefined}
              value={f.consumerSecret}
              onChange={set('consumerSecret')}
            />
          </Field>
          <Field label="Passkey">
            <input
              type="password"
              autoComplete="off"
              placeholder={account?.passkeySet ? 'set (leave blank to keep)' : undefined}
              value={f.passkey}
              onChange={set('passkey')}
            />
          </Field>
        </>
      )}
      <Field label="Sites (comma separated)">
        <input value={f.sites} onChange={set('sites')} />
      </Field>
      <fieldset>
        <legend>Routers</legend>
        {(routers.data?.items ?? []).map((r) => (
          <label key={r.id}>
            <input
              type="checkbox"
              checked={routerIds.includes(r.id)}
              onChange={(e) =>
                setRouterIds(e.target.checked ? [...routerIds, r.id] : routerIds.filter((x) => x !== r.id))
              }
            />{' '}
            {r.name}
          </label>
        ))}
      </fieldset>
      <Saved m={save} />
      <div className="actions">
        <button type="submit">{account ? 'Save changes' : 'Add account'}</button>
        {account && (
          <button type="button" className="ghost" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
