import { useState } from 'react';
import { ErrorNote } from '../../components/feedback.tsx';
import { Field } from '../../components/forms.tsx';
import { useActivePlans } from '../../hooks/api/plans.ts';
import { useCashSale } from '../../hooks/api/purchases.ts';
import { kes } from '../../lib/format.ts';
import { newRequestId } from '../../lib/request-id.ts';

/**
 * Selling at the counter: pick a plan, take the cash, get the code to hand over. The request id
 * makes a double click or a resend record one sale; "Sell another" starts a new one.
 */
export function CashSale({
  onClose,
  purpose = 'voucher',
}: {
  onClose: () => void;
  purpose?: 'voucher' | 'access';
}) {
  const active = useActivePlans();
  const [planId, setPlanId] = useState('');
  const [tel, setTel] = useState('');
  const [sms, setSms] = useState(false);
  const [requestId, setRequestId] = useState(newRequestId);
  const sale = useCashSale();
  const submit = () =>
    sale.mutate({ requestId, planId: Number(planId), phone: tel, sendSms: sms && !!tel, purpose });
  if (sale.data) {
    const plan = active.find((p) => p.id === Number(planId));
    return (
      <div className="card sold">
        <p>
          Sold {plan?.name} for {kes(sale.data.amountKes)}. The code:
        </p>
        <p className="code" data-testid="sold-code">
          {sale.data.code.slice(0, 5)}-{sale.data.code.slice(5)}
        </p>
        <div className="actions">
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => {
              sale.reset();
              setRequestId(newRequestId());
            }}
          >
            Sell another
          </button>
          <button type="button" className="ghost" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    );
  }
  return (
    <form
      className="card form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Cash sale</h2>
      <Field label="Plan">
        <select required value={planId} onChange={(e) => setPlanId(e.target.value)} name="plan">
          <option value="">Choose…</option>
          {active.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} — {kes(p.priceKes)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Customer phone (optional)">
        <input type="tel" value={tel} onChange={(e) => setTel(e.target.value)} placeholder="0712 345 678" />
      </Field>
      <label className="check">
        <input type="checkbox" checked={sms} onChange={(e) => setSms(e.target.checked)} /> Text the code to
        this phone
      </label>
      <ErrorNote error={sale.error} />
      <div className="actions">
        <button type="submit" disabled={sale.isPending}>
          Record sale and get code
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
