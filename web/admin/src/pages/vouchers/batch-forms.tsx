/** Making a batch of vouchers, and importing codes made elsewhere (e.g. on the router). */
import { useState } from 'react';
import { ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { usePlans } from '../../hooks/api/plans.ts';
import { useImportVouchers, useMakeBatch } from '../../hooks/api/vouchers.ts';

function PlanSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const plans = usePlans();
  return (
    <Field label="Plan">
      <select required value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {(plans.data?.items ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

function SellOnline({
  checked,
  onChange,
  label,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

export function MakeBatchForm() {
  const [f, setF] = useState({ planId: '', count: '20', label: '', validDays: '', sellOnline: false });
  const make = useMakeBatch();
  return (
    <form
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        make.mutate({
          planId: Number(f.planId),
          count: Number(f.count),
          ...(f.label ? { label: f.label } : {}),
          ...(f.validDays ? { validDays: Number(f.validDays) } : {}),
          sellOnline: f.sellOnline,
        });
      }}
    >
      <PlanSelect value={f.planId} onChange={(planId) => setF({ ...f, planId })} />
      <Field label="How many">
        <input
          type="number"
          min={1}
          max={100000}
          required
          value={f.count}
          onChange={(e) => setF({ ...f, count: e.target.value })}
        />
      </Field>
      <Field label="Label (optional)">
        <input value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} />
      </Field>
      <Field label="First use within days (optional)">
        <input
          type="number"
          min={1}
          value={f.validDays}
          onChange={(e) => setF({ ...f, validDays: e.target.value })}
        />
      </Field>
      <SellOnline
        checked={f.sellOnline}
        onChange={(sellOnline) => setF({ ...f, sellOnline })}
        label="Stock for online and cash sale (not printed)"
      />
      <ErrorNote error={make.error} />
      {make.data && <p className="ok">Made {make.data.count} vouchers.</p>}
      <div className="actions">
        <button type="submit" disabled={make.isPending}>
          Make
        </button>
      </div>
    </form>
  );
}

export function ImportForm() {
  const [f, setF] = useState({ planId: '', label: '', text: '', sellOnline: false });
  const imp = useImportVouchers();
  return (
    <form
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        imp.mutate({
          planId: Number(f.planId),
          text: f.text,
          ...(f.label ? { label: f.label } : {}),
          sellOnline: f.sellOnline,
        });
      }}
    >
      <PlanSelect value={f.planId} onChange={(planId) => setF({ ...f, planId })} />
      <Field label="Label (optional)">
        <input value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} />
      </Field>
      <Field label="Codes: MikroTik /ip hotspot user lines, CSV, or one per line">
        <textarea rows={6} required value={f.text} onChange={(e) => setF({ ...f, text: e.target.value })} />
      </Field>
      <SellOnline
        checked={f.sellOnline}
        onChange={(sellOnline) => setF({ ...f, sellOnline })}
        label="Stock for online and cash sale"
      />
      <ErrorNote error={imp.error} />
      {imp.data && (
        <p className="ok">
          Imported {imp.data.imported}
          {imp.data.problems.length ? `; ${imp.data.problems.length} line(s) skipped` : ''}.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={imp.isPending}>
          Import
        </button>
      </div>
    </form>
  );
}
