import { useState } from 'react';
import type { CodeFilters } from '../../../../../src/admin/http/api-types.ts';
import type { PageProps } from '../../app.tsx';
import { Badge } from '../../components/feedback.tsx';
import { SearchForm } from '../../components/forms.tsx';
import { PagedTable } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useCodes } from '../../hooks/api/vouchers.ts';
import { phone, when } from '../../lib/format.ts';
import { CashSale } from '../purchases/cash-sale.tsx';
import { Batches } from './batches.tsx';

export function CodeList({ go }: { go: PageProps['go'] }) {
  const can = useCan();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<CodeFilters['status']>();
  const [kind, setKind] = useState<CodeFilters['kind']>();
  const [selling, setSelling] = useState(false);
  const codes = useCodes({ q: search || undefined, status, kind });
  return (
    <section>
      <div className="bar-head">
        <h1>Vouchers & codes</h1>
        {can('POST /api/admin/purchases/cash') && (
          <button type="button" onClick={() => setSelling(!selling)}>
            Sell a voucher
          </button>
        )}
      </div>
      {selling && <CashSale purpose="voucher" onClose={() => setSelling(false)} />}
      <Batches />
      <h2>Codes</h2>
      <SearchForm placeholder="Code or phone" label="Search codes" onSearch={setSearch}>
        <select
          value={status ?? ''}
          onChange={(e) => setStatus((e.target.value || undefined) as CodeFilters['status'])}
          aria-label="Status"
        >
          <option value="">Any status</option>
          {['issued', 'active', 'expired', 'revoked'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select
          value={kind ?? ''}
          onChange={(e) => setKind((e.target.value || undefined) as CodeFilters['kind'])}
          aria-label="Kind"
        >
          <option value="">Vouchers and purchases</option>
          <option value="voucher">Vouchers</option>
          <option value="purchase">Bought online</option>
        </select>
      </SearchForm>
      <PagedTable
        query={codes}
        rowKey={(c) => c.id}
        onRow={(c) => go(`vouchers/${c.id}`)}
        columns={[
          { label: 'Code', cell: (c) => <code className="code">{c.code}</code> },
          { label: 'Issued', cell: (c) => when(c.issuedAt) },
          { label: 'Plan', cell: (c) => c.planName },
          { label: 'Batch', cell: (c) => c.batchLabel ?? (c.batchId ? c.batchId.slice(0, 8) : '—') },
          { label: 'Kind', cell: (c) => c.kind },
          { label: 'Status', cell: (c) => <Badge value={c.status} /> },
          { label: 'Phone', cell: (c) => phone(c.phone) },
          { label: 'Expires', cell: (c) => when(c.expiresAt) },
        ]}
      />
    </section>
  );
}
