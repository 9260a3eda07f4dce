import { useState } from 'react';
import type { TroubleshootCheck } from '../../../../src/admin/http/api-types.ts';
import { ErrorNote } from '../components/feedback.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useResendCode, useRetryGrant } from '../hooks/api/purchases.ts';
import { useExtendCode, useFreeDevice, useTroubleshoot } from '../hooks/api/troubleshoot.ts';

/** Verdicts shown with the badge colours staff already know (green, red, amber, grey). */
const VERDICT: Record<TroubleshootCheck['verdict'], { label: string; cls: string }> = {
  ok: { label: 'OK', cls: 'b-up' },
  problem: { label: 'Problem', cls: 'b-down' },
  warning: { label: 'Check', cls: 'b-pending' },
  info: { label: 'Note', cls: 'b-closed' },
};

export function TroubleshootPage() {
  const [q, setQ] = useState('');
  const [mac, setMac] = useState('');
  const [asked, setAsked] = useState({ q: '', mac: '' });
  const r = useTroubleshoot({ q: asked.q, mac: asked.mac || undefined });
  const t = r.data;
  return (
    <section>
      <h1>Why is this customer offline?</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ q: q.trim(), mac: mac.trim() });
        }}
      >
        <input
          type="search"
          name="q"
          placeholder="Phone, access code, M-Pesa receipt or MAC"
          aria-label="What the customer reads out"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <input
          name="mac"
          placeholder="Device MAC, if another device (optional)"
          aria-label="Device MAC"
          value={mac}
          onChange={(e) => setMac(e.target.value)}
        />
        <button type="submit">Check</button>
      </form>
      <ErrorNote error={r.error} />
      {r.isFetching && <p className="muted">Checking… (asking the router too)</p>}
      {t && !r.isFetching && (
        <>
          <p className={t.cause ? 'error' : ''} role="status">
            <strong>{t.cause ? 'Cause: ' : ''}</strong>
            {t.summary}
          </p>
          <ol className="checks">
            {t.checks.map((c) => (
              <CheckItem key={c.id} c={c} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function CheckItem({ c }: { c: TroubleshootCheck }) {
  const v = VERDICT[c.verdict];
  return (
    <li>
      <h3>
        <span className={`badge ${v.cls}`}>{v.label}</span> {c.title}
      </h3>
      <p>{c.said}</p>
      {c.evidence.length > 0 && (
        <ul className="muted">
          {c.evidence.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {c.fix && (
        <p>
          <strong>What to do:</strong> {c.fix}
        </p>
      )}
      {c.action?.kind === 'extend' && <Extend accessCodeId={c.action.accessCodeId} />}
      {c.action?.kind === 'free-device' && (
        <FreeDevice accessCodeId={c.action.accessCodeId} macs={c.action.macs} />
      )}
      {(c.action?.kind === 'retry-grant' || c.action?.kind === 'resend-code') && (
        <Action kind={c.action.kind} purchaseId={c.action.purchaseId} />
      )}
    </li>
  );
}

function Action({ kind, purchaseId }: { kind: 'retry-grant' | 'resend-code'; purchaseId: string }) {
  const can = useCan();
  const retry = useRetryGrant(purchaseId);
  const resend = useResendCode(purchaseId);
  if (kind === 'retry-grant') {
    if (!can('POST /api/admin/purchases/:id/retry-grant')) return null;
    return (
      <p>
        <button type="button" disabled={retry.isPending} onClick={() => retry.mutate()}>
          Retry grant
        </button>{' '}
        {retry.isSuccess && <span className="muted">Sent to the router. Check again in a few seconds.</span>}
        <ErrorNote error={retry.error} />
      </p>
    );
  }
  if (!can('POST /api/admin/purchases/:id/resend-code')) return null;
  return (
    <p>
      <button type="button" className="ghost" disabled={resend.isPending} onClick={() => resend.mutate(null)}>
        Resend code by SMS
      </button>{' '}
      {resend.isSuccess && <span className="muted">Queued to {resend.data.to}.</span>}
      <ErrorNote error={resend.error} />
    </p>
  );
}

/** Give the customer minutes back: a number and one button, the cashier's words. */
function Extend({ accessCodeId }: { accessCodeId: string }) {
  const can = useCan();
  const extend = useExtendCode();
  const [minutes, setMinutes] = useState('30');
  if (!can('POST /api/admin/codes/:id/extend')) return null;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        extend.mutate({ accessCodeId, body: { minutes: Number(minutes), reason: 'troubleshooter' } });
      }}
    >
      <label>
        Minutes to give back{' '}
        <input
          type="number"
          name="minutes"
          min={1}
          max={1440}
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
      </label>{' '}
      <button type="submit" disabled={extend.isPending}>
        Give minutes
      </button>{' '}
      {extend.isSuccess && <span className="muted">Added {extend.data.minutes} minutes.</span>}
      <ErrorNote error={extend.error} />
    </form>
  );
}

/** One button per device on the code; removing one frees its slot for the customer's new device. */
function FreeDevice({ accessCodeId, macs }: { accessCodeId: string; macs: string[] }) {
  const can = useCan();
  const free = useFreeDevice();
  if (!can('POST /api/admin/codes/:id/free-device')) return null;
  return (
    <div>
      {macs.map((mac) => (
        <p key={mac}>
          <button
            type="button"
            className="ghost"
            disabled={free.isPending}
            onClick={() => free.mutate({ accessCodeId, body: { mac } })}
          >
            Remove {mac} from this code
          </button>
        </p>
      ))}
      {free.isSuccess && <span className="muted">{free.data.mac} removed; the slot is free.</span>}
      <ErrorNote error={free.error} />
    </div>
  );
}
