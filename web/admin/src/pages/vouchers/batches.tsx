import { useState } from 'react';
import { Table } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useBatches } from '../../hooks/api/vouchers.ts';
import { when } from '../../lib/format.ts';
import { ImportForm, MakeBatchForm } from './batch-forms.tsx';

/** Voucher batches with their counts and print/export links, and the make and import forms. */
export function Batches() {
  const can = useCan();
  const q = useBatches();
  const [form, setForm] = useState<'make' | 'import' | null>(null);
  const items = q.data?.items ?? [];
  const print = can('GET /api/admin/vouchers/batches/:id/print');
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
      {form === 'make' && <MakeBatchForm />}
      {form === 'import' && <ImportForm />}
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
                      Print
                    </a>
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
          ]}
        />
      )}
    </div>
  );
}
