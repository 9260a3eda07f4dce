import { useState } from 'react';
import { Table } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { ErrorNote } from '../../components/feedback.tsx';
import { usePlans } from '../../hooks/api/plans.ts';
import { useBatchAction, useBatches } from '../../hooks/api/vouchers.ts';
import { when } from '../../lib/format.ts';
import { ImportForm, MakeBatchForm } from './batch-forms.tsx';

/** Voucher batches with their counts and print/export links, and the make and import forms. */
export function Batches() {
  const can = useCan();
  const q = useBatches();
  const [form, setForm] = useState<'make' | 'import' | null>(null);
  const items = q.data?.items ?? [];
  const print = can('GET /api/admin/vouchers/batches/:id/print');
  const manage = can('POST /api/admin/vouchers/batches/:id/disable');
  const action = useBatchAction();
  const plans = usePlans();
  return (
    <div className="card">
      <div className="bar-head">
        <h2>Voucher batches</h2>
        {can('POST /api/admin/vouchers/batches') && (
          <button type="button" onClick={() => setForm(form === 'make' ? null : 'make')}>
            Make vouchers
          </button>
        )}
        {can('POST /api/admin/vouchers/import') && (
          <button
            type="button"
            className="ghost"
            onClick={() => setForm(form === 'import' ? null : 'import')}
          >
            Import
          </button>
        )}
      </div>
      {form === 'make' && <MakeBatchForm key="make" />}
      {form === 'import' && <ImportForm key="import" />}
      <ErrorNote error={action.error} />
      {action.data && (
        <p className="ok" role="status">
          {'revoked' in action.data
            ? `Disabled: ${action.data.revoked} unused code(s) no longer work.`
            : 'deleted' in action.data
              ? `Deleted the batch and its ${action.data.deleted} code(s).`
              : `Moved: ${action.data.moved} unused code(s) now follow the new plan.`}
        </p>
      )}
      {items.length > 0 && (
        <Table
          rows={items}
          rowKey={(b) => b.id}
          columns={[
            { label: 'Created', cell: (b) => when(b.createdAt) },
            { label: 'Label', cell: (b) => b.label ?? '—' },
            { label: 'Plan', cell: (b) => b.planName },
            { label: 'Kind', cell: (b) => (b.sellOnline ? 'online stock' : 'paper') },
            { label: 'Codes', cell: (b) => b.count, className: 'num' },
            { label: 'Unused', cell: (b) => b.unused, className: 'num' },
            { label: 'In use', cell: (b) => b.inUse, className: 'num' },
            {
              label: 'Sheets',
              cell: (b) =>
                b.sellOnline || !print ? (
                  ''
                ) : (
                  <span className="row-actions">
                    <a href={`/api/admin/vouchers/batches/${b.id}/print`} target="_blank" rel="noreferrer">
                      Print A4
                    </a>
                    <a
                      href={`/api/admin/vouchers/batches/${b.id}/print?layout=58mm`}
                      target="_blank"
                      rel="noreferrer"
                    >
                      58 mm
                    </a>
                    <a
                      href={`/api/admin/vouchers/batches/${b.id}/print?layout=80mm`}
                      target="_blank"
                      rel="noreferrer"
                    >
                      80 mm
                    </a>
                    <a href={`/api/admin/vouchers/batches/${b.id}/print.escpos?width=58`}>ESC/POS</a>
                    <a
                      href={`/api/admin/vouchers/batches/${b.id}/print.pdf`}
                      target="_blank"
                      rel="noreferrer"
                    >
                      PDF
                    </a>
                    {can('GET /api/admin/vouchers/batches/:id/export.csv') && (
                      <a href={`/api/admin/vouchers/batches/${b.id}/export.csv`}>CSV</a>
                    )}
                  </span>
                ),
            },
            ...(manage
              ? [
                  {
                    label: 'Batch',
                    cell: (b: (typeof items)[number]) => (
                      <span className="row-actions">
                        <select
                          aria-label={`Move batch ${b.label ?? b.id.slice(0, 8)}`}
                          value=""
                          onChange={(e) =>
                            e.target.value &&
                            confirm('Move the unused codes of this batch to that plan?') &&
                            action.mutate({ id: b.id, kind: 'move', planId: Number(e.target.value) })
                          }
                        >
                          <option value="">Move to…</option>
                          {(plans.data?.items ?? [])
                            .filter((p) => p.name !== b.planName)
                            .map((p) => (
                              <option key={p.id} value={p.id}>
                                {p.name}
                              </option>
                            ))}
                        </select>
                        <button
                          type="button"
                          className="ghost"
                          onClick={() => {
                            const label = prompt('New label for this batch', b.label ?? '');
                            if (label !== null)
                              action.mutate({ id: b.id, kind: 'move', label: label || null });
                          }}
                        >
                          Relabel
                        </button>
                        {b.unused > 0 && (
                          <button
                            type="button"
                            className="ghost"
                            onClick={() =>
                              confirm(`Disable this batch? Its ${b.unused} unused code(s) stop working.`) &&
                              action.mutate({ id: b.id, kind: 'disable' })
                            }
                          >
                            Disable
                          </button>
                        )}
                        {b.unused === b.count && (
                          <button
                            type="button"
                            className="danger"
                            onClick={() =>
                              confirm('Delete this batch and all its codes?') &&
                              action.mutate({ id: b.id, kind: 'delete' })
                            }
                          >
                            Delete
                          </button>
                        )}
                      </span>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
    </div>
  );
}
