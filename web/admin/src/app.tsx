/**
 * The dashboard's pages and which permission shows each in the nav. A page is listed when the
 * signed-in role may call the route it reads (a POLICY key, sent by the server with the account),
 * so the nav follows src/admin/policy.ts with no list of roles kept here.
 */
import type { ComponentType } from 'react';
import type { Permission } from '../../../src/admin/http/api-types.ts';
import { post } from './api.ts';
import { Shell } from './components/layout.tsx';
import { useCan, useMe, useSignedOutWatch, useSwitchAccount } from './hooks/api/account.ts';
import { useFirstRun } from './hooks/api/payment-accounts.ts';
import { usePath } from './lib/routing.ts';
import { AccountPage } from './pages/account.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CustomersPage } from './pages/customers.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { FirstRunPage } from './pages/first-run.tsx';
import { PaymentAccountsPage } from './pages/payment-accounts.tsx';
import { LoginPage } from './pages/login.tsx';
import { PlansPage } from './pages/plans.tsx';
import { PurchasesPage } from './pages/purchases/index.tsx';
import { RoutersPage } from './pages/routers.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { StaffPage } from './pages/staff.tsx';
import { TroubleshootPage } from './pages/troubleshoot.tsx';
import { ReconciliationPage } from './pages/reconciliation.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { VouchersPage } from './pages/vouchers/index.tsx';

export interface PageProps {
  /** The part of the path after the page, e.g. the purchase id in /admin/purchases/<id>. */
  id: string | undefined;
  go: (to: string) => void;
}

const PAGES: { id: string; label: string; needs: Permission; Page: ComponentType<PageProps> }[] = [
  { id: 'dashboard', label: 'Dashboard', needs: 'GET /api/admin/dashboard', Page: DashboardPage },
  { id: 'purchases', label: 'Payments', needs: 'GET /api/admin/purchases', Page: PurchasesPage },
  { id: 'vouchers', label: 'Vouchers & codes', needs: 'GET /api/admin/codes', Page: VouchersPage },
  { id: 'sessions', label: 'Sessions', needs: 'GET /api/admin/sessions', Page: SessionsPage },
  { id: 'customers', label: 'Customers', needs: 'GET /api/admin/customers', Page: CustomersPage },
  { id: 'troubleshoot', label: 'Troubleshoot', needs: 'GET /api/admin/troubleshoot', Page: TroubleshootPage },
  {
    id: 'reconciliation',
    label: 'Reconciliation',
    needs: 'GET /api/admin/reports/reconciliation',
    Page: ReconciliationPage,
  },
  { id: 'alerts', label: 'Alerts', needs: 'GET /api/admin/alerts', Page: AlertsPage },
  { id: 'plans', label: 'Plans', needs: 'GET /api/admin/plans', Page: PlansPage },
  { id: 'routers', label: 'Routers', needs: 'GET /api/admin/routers', Page: RoutersPage },
  { id: 'settings', label: 'Settings', needs: 'GET /api/admin/settings', Page: SettingsPage },
  {
    id: 'payment-accounts',
    label: 'Payment accounts',
    needs: 'GET /api/admin/payment-accounts',
    Page: PaymentAccountsPage,
  },
  { id: 'setup', label: 'Setup', needs: 'GET /api/admin/first-run', Page: FirstRunPage },
  { id: 'staff', label: 'Staff', needs: 'GET /api/admin/staff', Page: StaffPage },
  { id: 'audit', label: 'Audit log', needs: 'GET /api/admin/audit', Page: AuditPage },
];

export function App() {
  const [path, go] = usePath();
  const me = useMe();
  const can = useCan();
  const switchAccount = useSwitchAccount();
  useSignedOutWatch();
  // Right after the owner account is created (and until the list is closed or complete), the
  // landing page is the setup checklist.
  const checklist = useFirstRun(!!me.data && can('GET /api/admin/first-run'));
  const firstRunOpen = !!checklist.data && !checklist.data.closed && !checklist.data.complete;

  if (me.isLoading) return <p className="center muted">Loading…</p>;
  if (!me.data) return <LoginPage onSignedIn={switchAccount} />;
  const [page = firstRunOpen ? 'setup' : 'dashboard', id] = path.split('/');
  const visible = PAGES.filter((p) => can(p.needs));
  const current = visible.find((p) => p.id === page) ?? visible[0]!;
  const signOut = async () => {
    await post('/logout').catch(() => {});
    switchAccount(null);
  };
  return (
    <Shell
      nav={visible}
      current={page === 'account' ? null : current.id}
      account={`${me.data.user.username} · ${me.data.user.role}`}
      go={go}
      onSignOut={signOut}
    >
      {page === 'account' ? <AccountPage /> : <current.Page id={id} go={go} />}
    </Shell>
  );
}
