/**
 * First-run setup: the checklist after the owner account is created. Each step's "done" comes
 * from the server (the real state); a step can be skipped, the list closed and reopened later.
 */
import type { FirstRunChecklist } from '../../../../src/admin/http/api-types.ts';
import type { PageProps } from '../app.tsx';
import { ErrorNote } from '../components/feedback.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useChangeFirstRun, useFirstRun } from '../hooks/api/payment-accounts.ts';

/** Where each step is done. */
const WHERE: Record<string, { page: string; label: string }> = {
  branding: { page: 'settings', label: 'Open Settings' },
  mpesa: { page: 'payment-accounts', label: 'Open Payment accounts' },
  router: { page: 'routers', label: 'Open Routers' },
  plans: { page: 'plans', label: 'Open Plans' },
};

export function FirstRunPage({ go }: PageProps) {
  const q = useFirstRun();
  const change = useChangeFirstRun();
  const can = useCan();
  const editable = can('POST /api/admin/first-run');
  if (!q.data) return <ErrorNote error={q.error} />;
  const c = q.data;
  return (
    <section>
      <h1>Set up Wavu</h1>
      <p className="muted">
        {c.complete ? 'Everything is set up.' : `${c.missing.length} of ${c.steps.length} steps left.`}
      </p>
      <ol className="checklist">
        {c.steps.map((s) => (
          <li key={s.id} className="card" data-step={s.id} data-done={s.done}>
            <h2>
              <span aria-hidden="true">{s.done ? '✔ ' : s.skipped ? '– ' : '○ '}</span>
              {s.title}
              <span className="muted"> — {s.done ? 'done' : s.skipped ? 'skipped' : 'to do'}</span>
            </h2>
            <p>{s.detail}</p>
            <div className="actions">
              <button type="button" onClick={() => go(WHERE[s.id]!.page)}>
                {WHERE[s.id]!.label}
              </button>
              {editable && s.id === 'plans' && !s.done && (
                <button
                  type="button"
                  className="ghost"
                  onClick={() => change.mutate({ plansReviewed: true })}
                >
                  These plans are right
                </button>
              )}
              {editable && !s.done && (
                <button
                  type="button"
                  className="ghost"
                  onClick={() => change.mutate(s.skipped ? { unskip: s.id } : { skip: s.id })}
                >
                  {s.skipped ? 'Unskip' : 'Skip for now'}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      <ErrorNote error={change.error} />
      {editable && (
        <div className="actions">
          {c.closed ? (
            <button type="button" onClick={() => change.mutate({ reopen: true })}>
              Reopen the checklist
            </button>
          ) : (
            <button
              type="button"
              className="ghost"
              onClick={() => change.mutate({ close: true }, { onSuccess: () => go('dashboard') })}
            >
              Close the checklist
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** The dashboard's note of what is still missing, with a way back to the checklist. */
export function MissingSetup({ c, go }: { c: FirstRunChecklist; go: (to: string) => void }) {
  if (c.complete) return null;
  return (
    <div className="card" role="note" data-testid="setup-missing">
      <h2>Still to set up</h2>
      <ul>
        {c.missing.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
      <button type="button" onClick={() => go('setup')}>
        Open the setup checklist
      </button>
    </div>
  );
}
