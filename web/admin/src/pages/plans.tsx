import { useState } from 'react';
import type { Plan } from '../../../../src/admin/http/api-types.ts';
import { Badge, ErrorNote } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useDeletePlan, usePlans, useSavePlan } from '../hooks/api/plans.ts';
import { duration, kes } from '../lib/format.ts';

/** The form's fields as typed: numbers stay text until saved, speeds in Mbps, the cap in GB. */
interface PlanFields {
  name: string;
  nameSw: string;
  priceKes: number | string;
  hours: number | string;
  devices: number | string;
  clock: Plan['clock'];
  rateDownMbps: string;
  rateUpMbps: string;
  capGb: string;
  /** Minutes before the end to text the customer; empty = no reminder. */
  remindMinutes: string;
  /** Slow down at the cap instead of cutting off, and to what rate (MikroTik `up/down`). */
  fairUse: boolean;
  fairUseRate: string;
  active: boolean;
  sortOrder: number | string;
}

const blank: PlanFields = {
  name: '',
  nameSw: '',
  priceKes: 20,
  hours: 1,
  devices: 1,
  clock: 'wall',
  rateDownMbps: '',
  rateUpMbps: '',
  capGb: '',
  remindMinutes: '',
  fairUse: false,
  fairUseRate: '512k/512k',
  active: true,
  sortOrder: 0,
};

export function PlansPage() {
  const q = usePlans();
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const manage = useCan()('POST /api/admin/plans');
  return (
    <section>
      <div className="bar-head">
        <h1>Plans</h1>
        {manage && (
          <button type="button" onClick={() => setEditing('new')}>
            New plan
          </button>
        )}
      </div>
      <ErrorNote error={q.error} />
      {editing && <PlanForm plan={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <Table
        rows={q.data?.items ?? []}
        rowKey={(p) => p.id}
        onRow={manage ? (p) => setEditing(p) : undefined}
        columns={[
          { label: 'Name', cell: (p) => p.name },
          { label: 'Price', cell: (p) => kes(p.priceKes), className: 'num' },
          {
            label: 'Time',
            cell: (p) => `${duration(p.durationSeconds)}${p.clock === 'uptime' ? ' online' : ''}`,
          },
          { label: 'Devices', cell: (p) => p.devices, className: 'num' },
          {
            label: 'Speed',
            cell: (p) =>
              p.rateDownKbps
                ? `${Math.round(p.rateDownKbps / 1024)} / ${Math.round((p.rateUpKbps ?? 0) / 1024)} Mbps`
                : 'unlimited',
          },
          {
            label: 'Reminder',
            cell: (p) => (p.remindMinutes ? `${p.remindMinutes} min before` : 'off'),
          },
          {
            label: 'After cap',
            cell: (p) => (p.dataCapBytes ? (p.fairUseRate ? `slowed to ${p.fairUseRate}` : 'cut off') : '—'),
          },
          { label: 'Status', cell: (p) => <Badge value={p.active ? 'active' : 'hidden'} /> },
        ]}
      />
    </section>
  );
}

function PlanForm({ plan, onDone }: { plan: Plan | null; onDone: () => void }) {
  const [f, setF] = useState<PlanFields>(() =>
    plan
      ? {
          name: plan.name,
          nameSw: plan.nameSw ?? '',
          priceKes: plan.priceKes,
          hours: plan.durationSeconds / 3600,
          devices: plan.devices,
          clock: plan.clock,
          rateDownMbps: plan.rateDownKbps ? String(plan.rateDownKbps / 1024) : '',
          rateUpMbps: plan.rateUpKbps ? String(plan.rateUpKbps / 1024) : '',
          capGb: plan.dataCapBytes ? String(plan.dataCapBytes / 1e9) : '',
          remindMinutes: plan.remindMinutes ? String(plan.remindMinutes) : '',
          fairUse: plan.fairUseRate !== null,
          fairUseRate: plan.fairUseRate ?? '512k/512k',
          active: plan.active,
          sortOrder: plan.sortOrder,
        }
      : blank,
  );
  const set = <K extends keyof PlanFields>(k: K, v: PlanFields[K]) => setF({ ...f, [k]: v });
  const save = useSavePlan(plan);
  const remove = useDeletePlan();
  const submit = () =>
    save.mutate(
      {
        name: f.name,
        nameSw: f.nameSw.trim() || null,
        priceKes: Number(f.priceKes),
        durationSeconds: Math.round(Number(f.hours) * 3600),
        devices: Number(f.devices),
        clock: f.clock,
        rateDownKbps: f.rateDownMbps ? Math.round(Number(f.rateDownMbps) * 1024) : null,
        rateUpKbps: f.rateUpMbps ? Math.round(Number(f.rateUpMbps) * 1024) : null,
        dataCapBytes: f.capGb ? Math.round(Number(f.capGb) * 1e9) : null,
        remindMinutes: f.remindMinutes ? Number(f.remindMinutes) : null,
        fairUseRate: f.capGb && f.fairUse ? f.fairUseRate : null,
        active: f.active,
        sortOrder: Number(f.sortOrder),
      },
      { onSuccess: onDone },
    );
  // Speeds and the cap: decimals of 0 or more, empty meaning none.
  const decimal = (k: 'rateDownMbps' | 'rateUpMbps' | 'capGb') => (
    <input type="number" min={0} step="any" value={f[k]} onChange={(e) => set(k, e.target.value)} />
  );
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>{plan ? `Edit ${plan.name}` : 'New plan'}</h2>
      <Field label="Name">
        <input name="name" required value={f.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label="Name in Kiswahili (optional)">
        <input
          name="nameSw"
          lang="sw"
          placeholder="e.g. Saa 1"
          value={f.nameSw}
          onChange={(e) => set('nameSw', e.target.value)}
        />
      </Field>
      <Field label="Price (KES)">
        <input
          name="price"
          type="number"
          min={1}
          step={1}
          required
          value={f.priceKes}
          onChange={(e) => set('priceKes', e.target.value)}
        />
      </Field>
      <Field label="Hours">
        <input
          name="hours"
          type="number"
          min={0.0167}
          step="any"
          required
          value={f.hours}
          onChange={(e) => set('hours', e.target.value)}
        />
      </Field>
      <Field label="Devices">
        <input
          name="devices"
          type="number"
          min={1}
          max={20}
          value={f.devices}
          onChange={(e) => set('devices', e.target.value)}
        />
      </Field>
      <Field label="Time counts">
        <select value={f.clock} onChange={(e) => set('clock', e.target.value as Plan['clock'])}>
          <option value="wall">from first login (wall clock)</option>
          <option value="uptime">only while online</option>
        </select>
      </Field>
      <Field label="Download Mbps (empty = no limit)">{decimal('rateDownMbps')}</Field>
      <Field label="Upload Mbps">{decimal('rateUpMbps')}</Field>
      <Field label="Data cap GB (empty = none)">{decimal('capGb')}</Field>
      <Field label="Remind by SMS, minutes before expiry (empty = off)">
        <input
          name="remindMinutes"
          type="number"
          min={1}
          max={1440}
          step={1}
          value={f.remindMinutes}
          onChange={(e) => set('remindMinutes', e.target.value)}
        />
      </Field>
      {f.capGb && (
        <label className="check">
          <input type="checkbox" checked={f.fairUse} onChange={(e) => set('fairUse', e.target.checked)} />{' '}
          Slow down after the data cap instead of cutting off
        </label>
      )}
      {f.capGb && f.fairUse && (
        <Field label="Fair-use speed, upload/download (e.g. 512k/512k)">
          <input
            name="fairUseRate"
            required
            pattern="[0-9]+[kM]/[0-9]+[kM]"
            value={f.fairUseRate}
            onChange={(e) => set('fairUseRate', e.target.value)}
          />
        </Field>
      )}
      <Field label="Order on the portal">
        <input type="number" value={f.sortOrder} onChange={(e) => set('sortOrder', e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={f.active} onChange={(e) => set('active', e.target.checked)} /> On sale
      </label>
      <ErrorNote error={save.error ?? remove.error} />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
        {plan && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              confirm(`Delete ${plan.name}? A plan with sales is hidden instead.`) &&
              remove.mutate(plan.id, { onSuccess: onDone })
            }
          >
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
