import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api.ts';
import { BarChart, ErrorNote, kes, Table } from '../ui.tsx';

export function DashboardPage() {
  const [days, setDays] = useState(30);
  const q = useQuery({
    queryKey: ['dashboard', days],
    queryFn: () => get(`/dashboard?days=${days}`),
    refetchInterval: 30_000,
  });
  const d = q.data;
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
              sub={`${d.payments.byStatus.paid} paid · ${d.payments.byStatus.failed + d.payments.byStatus.cancelled + d.payments.byStatus.expired} not`}
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
              data={d.revenuePerDay.map((x: any) => ({ label: x.day.slice(5), value: x.kes }))}
              format={(n) => n.toLocaleString('en-KE')}
            />
            <BarChart
              title="Sessions started per day"
              data={d.sessions.perDay.map((x: any) => ({ label: x.day.slice(5), value: x.sessions }))}
              format={(n) => String(n)}
            />
          </div>
          <div className="grid2">
            <div className="card">
              <h2>Revenue by plan</h2>
              <Table
                rows={d.revenuePerPlan}
                rowKey={(r: any) => r.planId}
                columns={[
                  { label: 'Plan', cell: (r: any) => r.name },
                  { label: 'Sales', cell: (r: any) => r.payments, className: 'num' },
                  { label: 'Revenue', cell: (r: any) => kes(r.kes), className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>Revenue by router</h2>
              <Table
                rows={d.revenuePerRouter}
                rowKey={(r: any) => String(r.routerId)}
                columns={[
                  { label: 'Router', cell: (r: any) => r.name },
                  { label: 'Sales', cell: (r: any) => r.payments, className: 'num' },
                  { label: 'Revenue', cell: (r: any) => kes(r.kes), className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>M-Pesa result codes</h2>
              <Table
                rows={d.payments.resultCodes}
                rowKey={(r: any) => r.resultCode}
                empty="No results recorded in this period."
                columns={[
                  { label: 'Code', cell: (r: any) => r.resultCode },
                  { label: 'Meaning', cell: (r: any) => r.description ?? '—' },
                  { label: 'Count', cell: (r: any) => r.count, className: 'num' },
                ]}
              />
            </div>
            <div className="card">
              <h2>Online now by router</h2>
              <Table
                rows={d.sessions.activePerRouter}
                rowKey={(r: any) => String(r.routerId)}
                empty="Nobody online."
                columns={[
                  { label: 'Router', cell: (r: any) => r.name },
                  { label: 'Sessions', cell: (r: any) => r.active, className: 'num' },
                ]}
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function Kpi({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="kpi">
      <span>{label}</span>
      <strong>{value}</strong>
      {sub && <small>{sub}</small>}
    </div>
  );
}
