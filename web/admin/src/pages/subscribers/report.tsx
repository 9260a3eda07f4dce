import { Kpi } from '../../components/charts.tsx';
import { ErrorNote } from '../../components/feedback.tsx';
import { useCan } from '../../hooks/api/account.ts';
import { useSubscriberReport } from '../../hooks/api/subscribers.ts';
import { kes } from '../../lib/format.ts';

/** The card above the list: what is coming in, what is late, and this month against the last. */
export function SubscriberReportCard() {
  const allowed = useCan()('GET /api/admin/subscribers/report');
  const q = useSubscriberReport(allowed);
  const r = q.data;
  if (!allowed) return null;
  const [thisMonth, lastMonth] = r?.revenueByMonth ?? [];
  const churn = r?.churnByMonth[0];
  return (
    <div className="card">
      <ErrorNote error={q.error} />
      {r && (
        <>
          <div className="kpis">
            <Kpi
              label="Due this week"
              value={kes(r.dueThisWeek.amountKes)}
              sub={`${r.dueThisWeek.subscribers} subscriber(s)`}
            />
            <Kpi
              label="Overdue"
              value={kes(r.overdue.amountKes)}
              sub={`${r.overdue.subscribers} subscriber(s)`}
            />
            <Kpi
              label={thisMonth ? `Paid in ${thisMonth.month}` : 'Paid this month'}
              value={kes(thisMonth?.amountKes ?? 0)}
              sub={lastMonth ? `${lastMonth.month}: ${kes(lastMonth.amountKes)}` : undefined}
            />
            <Kpi
              label={`Churn ${churn?.month ?? ''}`}
              value={String((churn?.closed ?? 0) + (churn?.lapsed ?? 0))}
              sub={churn ? `${churn.closed} closed, ${churn.lapsed} lapsed` : 'none'}
            />
          </div>
          {r.revenueByPlan.length > 0 && (
            <p className="muted">
              By plan (12 months): {r.revenueByPlan.map((p) => `${p.plan} ${kes(p.amountKes)}`).join(' · ')}
            </p>
          )}
        </>
      )}
    </div>
  );
}
