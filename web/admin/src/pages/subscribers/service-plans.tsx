import { useState } from 'react';
import type { ServicePlan } from '../../../../../src/admin/http/api-types.ts';
import { Badge, ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { Table } from '../../components/tables.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useDeleteServicePlan, useSaveServicePlan, useServicePlans } from '../../hooks/api/subscribers.ts';
import { count, kes } from '../../lib/format.ts';

const mbps = (kbps: number) => `${Math.round((kbps / 1024) * 10) / 10}`;

/** Service plans: price per month or week, speed, grace days. The first active one is the default. */
export function ServicePlans() {
  const q = useServicePlans();
  const manage = useCan()('POST /api/admin/service-plans');
  const [editing, setEditing] = useState<ServicePlan | 'new' | null>(null);
  return (
    <>
      {/* Below the subscriber list on the same page, so it needs its own space above. */}
      <div className="bar-head" style={{ marginTop: '2rem' }}>
        <h2>Service plans</h2>
        {manage && (
          <button type="button" className="ghost" onClick={() => setEditing('new')}>
            New service plan
          </button>
        )}
      </div>
      <ErrorNote error={q.error} />
      {editing && (
        <ServicePlanForm plan={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
      )}
      <Table
        rows={q.data?.items ?? []}
        rowKey={(p) => p.id}
        onRow={manage ? (p) => setEditing(p) : undefined}
        columns={[
          { label: 'Name', cell: (p) => p.name },
          { label: 'Price', cell: (p) => `${kes(p.priceKes)} / ${p.period}`, className: 'num' },
          { label: 'Speed', cell: (p) => `${mbps(p.rateDownKbps)} / ${mbps(p.rateUpKbps)} Mbps` },
          {
            label: 'Fair use',
            cell: (p) =>
              p.dataCapBytes
                ? `${Math.round(p.dataCapBytes / 1e9)} GB, then ${mbps(p.fairUseDownKbps ?? 0)} Mbps`
                : '—',
          },
          { label: 'Grace', cell: (p) => count(p.graceDays, 'day') },
          { label: 'Status', cell: (p) => <Badge value={p.active ? 'active' : 'retired'} /> },
        ]}
      />
    </>
  );
}

function ServicePlanForm({ plan, onDone }: { plan: ServicePlan | null; onDone: () => void }) {
  const [f, setF] = useState({
    name: plan?.name ?? '',
    period: plan?.period ?? 'month',
    priceKes: String(plan?.priceKes ?? 1500),
    downMbps: plan ? mbps(plan.rateDownKbps) : '5',
    upMbps: plan ? mbps(plan.rateUpKbps) : '5',
    graceDays: String(plan?.graceDays ?? 3),
    sortOrder: String(plan?.sortOrder ?? 100),
    active: plan?.active ?? true,
  });
  const set = (k: keyof typeof f, v: string | boolean) => setF({ ...f, [k]: v });
  const save = useSaveServicePlan(plan);
  const remove = useDeleteServicePlan();
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(
          {
            name: f.name,
            period: f.period as 'month' | 'week',
            priceKes: Number(f.priceKes),
            rateDownKbps: Math.round(Number(f.downMbps) * 1024),
            rateUpKbps: Math.round(Number(f.upMbps) * 1024),
            graceDays: Number(f.graceDays),
            sortOrder: Number(f.sortOrder),
            active: f.active,
          },
          { onSuccess: onDone },
        );
      }}
    >
      <h2>{plan ? `Edit ${plan.name}` : 'New service plan'}</h2>
      <Field label="Name">
        <input name="planName" required value={f.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label="Billed every">
        <select name="period" value={f.period} onChange={(e) => set('period', e.target.value)}>
          <option value="month">month</option>
          <option value="week">week</option>
        </select>
      </Field>
      <Field label="Price (KES)">
        <input
          name="priceKes"
          inputMode="numeric"
          value={f.priceKes}
          onChange={(e) => set('priceKes', e.target.value)}
        />
      </Field>
      <Field label="Download (Mbps)">
        <input name="downMbps" value={f.downMbps} onChange={(e) => set('downMbps', e.target.value)} />
      </Field>
      <Field label="Upload (Mbps)">
        <input name="upMbps" value={f.upMbps} onChange={(e) => set('upMbps', e.target.value)} />
      </Field>
      <Field label="Grace days after the due date">
        <input name="graceDays" value={f.graceDays} onChange={(e) => set('graceDays', e.target.value)} />
      </Field>
      <Field label="Sort order (lowest active one is the default)">
        <input name="sortOrder" value={f.sortOrder} onChange={(e) => set('sortOrder', e.target.value)} />
      </Field>
      <Field label="Offered">
        <input type="checkbox" checked={f.active} onChange={(e) => set('active', e.target.checked)} />
      </Field>
      <ErrorNote error={save.error ?? remove.error} />
      <div>
        <button type="submit" disabled={save.isPending}>
          Save
        </button>{' '}
        {plan && (
          <button
            type="button"
            className="ghost"
            onClick={() => remove.mutate(plan.id, { onSuccess: onDone })}
          >
            Delete (retire if in use)
          </button>
        )}{' '}
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
