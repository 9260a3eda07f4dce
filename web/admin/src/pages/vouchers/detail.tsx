import { Badge, ErrorNote } from '../../components/feedback.tsx';
import { BackButton } from '../../components/layout.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useCode, useRevokeCode } from '../../hooks/api/vouchers.ts';
import { phone, when } from '../../lib/format.ts';

/** One code: what it allows, how much of it is used, its devices and sessions; revoke it. */
export function CodeDetail({ id, back }: { id: string; back: () => void }) {
  const can = useCan();
  const q = useCode(id);
  const revoke = useRevokeCode(id);
  const c = q.data;
  return (
    <section>
      <BackButton label="Codes" onClick={back} />
      <ErrorNote error={q.error ?? revoke.error} />
      {c && (
        <>
          <div className="bar-head">
            <h1>
              {c.planName} <Badge value={c.status} />
            </h1>
            {can('POST /api/admin/codes/:id/revoke') && (c.status === 'issued' || c.status === 'active') && (
              <button
                type="button"
                className="danger"
                onClick={() => confirm('Revoke this code? It goes offline everywhere.') && revoke.mutate()}
              >
                Revoke
              </button>
            )}
          </div>
          <dl className="facts">
            <dt>Code</dt>
            <dd>
              <code className="code">{c.code}</code>
              {c.codeMasked ? ' (your role sees codes masked)' : ''}
            </dd>
            <dt>Batch</dt>
            <dd>{c.batchLabel ?? (c.batchId ? c.batchId.slice(0, 8) : '—')}</dd>
            {c.batchId && can('GET /api/admin/codes/:id/print') && (
              <>
                <dt>Reprint</dt>
                <dd className="row-actions">
                  <a href={`/api/admin/codes/${c.id}/print`} target="_blank" rel="noreferrer">
                    A4
                  </a>
                  <a href={`/api/admin/codes/${c.id}/print?layout=58mm`} target="_blank" rel="noreferrer">
                    58 mm
                  </a>
                  <a href={`/api/admin/codes/${c.id}/print?layout=80mm`} target="_blank" rel="noreferrer">
                    80 mm
                  </a>
                  <a href={`/api/admin/codes/${c.id}/print.escpos?width=58`}>ESC/POS 58</a>
                  <a href={`/api/admin/codes/${c.id}/print.escpos?width=80`}>ESC/POS 80</a>
                </dd>
              </>
            )}
            <dt>Phone</dt>
            <dd>{phone(c.phone)}</dd>
            <dt>Kind</dt>
            <dd>{c.kind}</dd>
            <dt>Issued</dt>
            <dd>{when(c.issuedAt)}</dd>
            <dt>Activated</dt>
            <dd>{when(c.activatedAt)}</dd>
            <dt>Expires</dt>
            <dd>{when(c.expiresAt)}</dd>
            <dt>Used</dt>
            <dd>
              {Math.round(c.usedSeconds / 60)} min · {(c.usedBytes / 1e6).toFixed(1)} MB
            </dd>
            <dt>Devices</dt>
            <dd>{c.boundDevices.map((d) => d.mac).join(', ') || '—'}</dd>
          </dl>
          <h2>Sessions</h2>
          <ul className="plain">
            {c.sessions.map((s) => (
              <li key={s.id}>
                {when(s.startedAt)} – {s.stoppedAt ? when(s.stoppedAt) : 'now'} · {s.router ?? '—'} · {s.mac}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
