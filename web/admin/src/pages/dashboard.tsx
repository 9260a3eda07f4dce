import { useState } from 'react';
import { BarChart, Kpi } from '../components/charts.tsx';
import { ErrorNote } from '../components/feedback.tsx';
import { Table } from '../components/tables.tsx';
import type { PageProps } from '../app.tsx';
import { useCan } from '../hooks/api/account.ts';
import { useDashboard } from '../hooks/api/dashboard.ts';
import { useFirstRun } from '../hooks/api/payment-accounts.ts';
import { MissingSetup } from './first-run.tsx';
import { kes } from '../lib/format.ts';

/** A count by status; a status with none may be left out. */
const n = (x: number | undefined) => x ?? 0;

export function DashboardPage({ go }: PageProps) {
  const [days, setDays] = useState(30);
  const q = useDashboard(days);
  const d = q.data;
  const can = useCan();
  const setup = useFirstRun(can('GET /api/admin/first-run'));
  return (
    <section>
      <div className="bar-head">
        <h1>Dashboard</h1>
        <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Period">
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
        </select>
      </div>
      <ErrorNote error={q.error} />
      {setup.data && <MissingSetup c={setup.data} go={go} />}
      {!d ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="kpis">
            <Kpi label="Revenue today" value={kes(d.revenue.todayKes)} />
            <Kpi
              label={`Revenue, ${days} days`}
              value={kes(d.revenue.totalKes)}
              sub={`${d.revenue.payments} payments`}
            />
            <Kpi label="Online now" value={String(d.sessions.active)} sub="active sessions" />
            <Kpi
              label="M-Pesa success"
              value={d.payments.successRate === null ? '—' : `${Math.round(d.payments.successRate * 100)}%`}
              sub={`${n(d.payments.byStatus.paid)} paid · ${n(d.payments.byStatus.failed) + n(d.payments.byStatus.cancelled) + n(d.payments.byStatus.expired)} not`}
            />
            <Kpi
              label="Payment → online"
              value={d.timeToAccess.p50 === null ? '—' : `${d.timeToAccess.p50} s`}
              sub={
                d.timeToAccess.p90 === null ? 'no data yet' : `median · 90% within ${d.timeToAccess.p90} s`
              }
            />
          </div>
          <div className="grid2">
            <BarChart
              title="Revenue per day (KES)"
              data={d.revenuePerDay.map((x) => ({ label: x.day.slice(5), value: x.kes }))}
              format={(n) => n.toLocaleString('en-KE')}
            />
            <BarChart
              title="Sessions started per day"
              data={d.sessions.perDay.map((x) => ({ label: x.day.slice(5), value: x.sessions }))}
              format={(n) => String(n)}
            />
          </div>
          <div className="grid2">
            <div className="card">
              <h2>Revenue by plan</h2>
              <Table
                rows={d.revenuePerPlan}
                rowKey={(r) => r.planId}
                columns={[
                  { label: 'Plan', cell: (r) => r.name },
                  { label: 'Sales', cell: (r) => r.payments, className: 'num' },
                  { label: 'Revenue', cell: (r) => kes(r.kes), className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>Revenue by router</h2>
              <Table
                rows={d.revenuePerRouter}
                rowKey={(r) => String(r.routerId)}
                columns={[
                  { label: 'Router', cell: (r) => r.name },
                  { label: 'Sales', cell: (r) => r.payments, className: 'num' },
                  { label: 'Revenue', cell: (r) => kes(r.kes), className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>Revenue by payment account</h2>
              <Table
                rows={d.revenuePerAccount}
                rowKey={(r) => String(r.accountId)}
                columns={[
                  { label: 'Account', cell: (r) => r.name },
                  { label: 'Sales', cell: (r) => r.payments, className: 'num' },
                  { label: 'Revenue', cell: (r) => kes(r.kes), className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>M-Pesa result codes</h2>
              <Table
                rows={d.payments.resultCodes}
                rowKey={(r) => r.resultCode}
                empty="No results recorded in this period."
                columns={[
                  { label: 'Code', cell: (r) => r.resultCode },
                  {
                    label: 'Meaning',
                    cell: (r) => (
                      <span title={r.description ?? undefined}>{r.meaning ?? r.description ?? '—'}</span>
                    ),
                  },
                  { label: 'Count', cell: (r) => r.count, className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>Online now by router</h2>
              <Table
                rows={d.sessions.activePerRouter}
                rowKey={(r) => String(r.routerId)}
                empty="Nobody online."
                columns={[
                  { label: 'Router', cell: (r) => r.name },
                  { label: 'Sessions', cell: (r) => r.active, className: 'num' },
                ]}
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
