/** Making a batch of vouchers, and importing codes made elsewhere (e.g. on the router). */
import { useState } from 'react';
import { ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { usePlans } from '../../hooks/api/plans.ts';
import { useImportVouchers, useMakeBatch } from '../../hooks/api/vouchers.ts';
import {
  type Charset,
  MAX_CODE_LENGTH,
  MAX_PREFIX,
  MIN_CODE_LENGTH,
  entropyBits,
  strengthWarning,
} from '../../../../../src/lib/code-format.ts';

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
  const [f, setF] = useState({
    planId: '',
    count: '20',
    label: '',
    validDays: '',
    sellOnline: false,
    prefix: '',
    length: '10',
    charset: 'mixed' as Charset,
  });
  const make = useMakeBatch();
  const length = Number(f.length) || 0;
  const weak = strengthWarning(length, f.charset);
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
          ...(f.prefix ? { prefix: f.prefix } : {}),
          length,
          charset: f.charset,
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
      <Field label="Prefix (optional)">
        <input
          value={f.prefix}
          maxLength={MAX_PREFIX}
          pattern="[A-Za-z0-9]*"
          onChange={(e) => setF({ ...f, prefix: e.target.value.toUpperCase() })}
        />
      </Field>
      <Field label="Length (after the prefix)">
        <input
          type="number"
          min={MIN_CODE_LENGTH}
          max={MAX_CODE_LENGTH}
          required
          value={f.length}
          onChange={(e) => setF({ ...f, length: e.target.value })}
        />
      </Field>
      <Field label="Characters">
        <select value={f.charset} onChange={(e) => setF({ ...f, charset: e.target.value as Charset })}>
          <option value="mixed">Letters and digits</option>
          <option value="letters">Letters only</option>
          <option value="digits">Digits only</option>
        </select>
      </Field>
      <p className={weak ? 'warn' : 'muted'} role="status">
        {weak ?? `Strength: ${entropyBits(length, f.charset)} bits per code.`} No look-alike characters.
      </p>
      <SellOnline
        checked={f.sellOnline}
        onChange={(sellOnline) => setF({ ...f, sellOnline })}
        label="Stock for online and cash sale (not printed)"
      />
      <ErrorNote error={make.error} />
      {make.data && (
        <p className="ok">
          Made {make.data.count} vouchers ({make.data.entropyBits} bits each).
          {make.data.warning ? ` ${make.data.warning}` : ''}
        </p>
      )}
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
      <Field label="Codes: MikroTik /ip hotspot user lines, CSV (e.g. a Mikhmon export), or one per line">
        <textarea rows={6} required value={f.text} onChange={(e) => setF({ ...f, text: e.target.value })} />
      </Field>
      <Field label="…or a file (.rsc, .csv, .txt)">
        <input
          type="file"
          accept=".rsc,.csv,.txt,text/plain,text/csv"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (file) setF({ ...f, text: await file.text(), label: f.label || file.name });
          }}
        />
      </Field>
      <SellOnline
        checked={f.sellOnline}
        onChange={(sellOnline) => setF({ ...f, sellOnline })}
        label="Stock for online and cash sale"
      />
      <ErrorNote error={imp.error} />
      {imp.data && (
        <div role="status">
          <p className={imp.data.imported ? 'ok' : 'warn'}>
            Imported {imp.data.imported}
            {imp.data.problems.length ? `; ${imp.data.problems.length} line(s) skipped:` : '.'}
          </p>
          {imp.data.problems.length > 0 && (
            <ul className="plain skipped">
              {imp.data.problems.map((p) => (
                <li key={p.line}>
                  Line {p.line}: <code>{p.value}</code> — {p.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="actions">
        <button type="submit" disabled={imp.isPending}>
          Import
        </button>
      </div>
    </form>
  );
}
