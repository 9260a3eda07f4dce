/**
 * The dashboard's pages and which permission shows each in the nav. A page is listed when the
 * signed-in role may call the route it reads (a POLICY key, sent by the server with the account),
 * so the nav follows src/admin/policy.ts with no list of roles kept here.
 *
 * Each page is its own chunk, fetched when first opened: the sign-in page downloads only the
 * shell (React, the query client, this file and the login form), not every page's code.
 */
import { type ComponentType, lazy, Suspense } from 'react';
import type { Permission } from '../../../src/admin/http/api-types.ts';
import { post } from './api.ts';
import { Shell } from './components/layout.tsx';
import { useCan, useMe, useSignedOutWatch, useSwitchAccount } from './hooks/api/account.ts';
import { useFirstRun } from './hooks/api/payment-accounts.ts';
import { usePath } from './lib/routing.ts';
import { LoginPage } from './pages/login.tsx';

/** A page's module, fetched the first time the page is shown. */
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType<PageProps>>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}
const AccountPage = lazyPage(() => import('./pages/account.tsx'), 'AccountPage');
const AuditPage = lazyPage(() => import('./pages/audit.tsx'), 'AuditPage');
const SubscribersPage = lazyPage(() => import('./pages/subscribers/index.tsx'), 'SubscribersPage');
const CustomersPage = lazyPage(() => import('./pages/customers.tsx'), 'CustomersPage');
const DashboardPage = lazyPage(() => import('./pages/dashboard.tsx'), 'DashboardPage');
const PlansPage = lazyPage(() => import('./pages/plans.tsx'), 'PlansPage');
const PurchasesPage = lazyPage(() => import('./pages/purchases/index.tsx'), 'PurchasesPage');
const RoutersPage = lazyPage(() => import('./pages/routers.tsx'), 'RoutersPage');
const SessionsPage = lazyPage(() => import('./pages/sessions.tsx'), 'SessionsPage');
const SettingsPage = lazyPage(() => import('./pages/settings.tsx'), 'SettingsPage');
const StaffPage = lazyPage(() => import('./pages/staff.tsx'), 'StaffPage');
const TroubleshootPage = lazyPage(() => import('./pages/troubleshoot.tsx'), 'TroubleshootPage');
const FirstRunPage = lazyPage(() => import('./pages/first-run.tsx'), 'FirstRunPage');
const PaymentAccountsPage = lazyPage(() => import('./pages/payment-accounts.tsx'), 'PaymentAccountsPage');
const ReconciliationPage = lazyPage(() => import('./pages/reconciliation.tsx'), 'ReconciliationPage');
const AlertsPage = lazyPage(() => import('./pages/alerts.tsx'), 'AlertsPage');
const VouchersPage = lazyPage(() => import('./pages/vouchers/index.tsx'), 'VouchersPage');
const VoucherTemplatePage = lazyPage(() => import('./pages/voucher-template.tsx'), 'VoucherTemplatePage');

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
  { id: 'subscribers', label: 'Subscribers', needs: 'GET /api/admin/subscribers', Page: SubscribersPage },
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
  {
    id: 'voucher-template',
    label: 'Print template',
    needs: 'GET /api/admin/settings/voucher-template',
    Page: VoucherTemplatePage,
  },
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
  const seesChecklist = !!me.data && can('GET /api/admin/first-run');
  const checklist = useFirstRun(seesChecklist);
  const firstRunOpen = !!checklist.data && !checklist.data.closed && !checklist.data.complete;

  if (me.isLoading) return <p className="center muted">Loading…</p>;
  if (!me.data) return <LoginPage onSignedIn={switchAccount} />;
  // '/admin' splits to [''], so the landing page is picked here, once the checklist has answered
  // (else the dashboard would flash first). A failed checklist call lands on the dashboard.
  const [first, id] = path.split('/');
  if (!first && seesChecklist && checklist.isPending) return <p className="center muted">Loading…</p>;
  const page = first || (firstRunOpen ? 'setup' : 'dashboard');
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
      {/* The fallback keeps the page's place (see .page-loading) so nothing jumps when it arrives. */}
      <Suspense fallback={<p className="muted page-loading">Loading…</p>}>
        {page === 'account' ? <AccountPage id={undefined} go={go} /> : <current.Page id={id} go={go} />}
      </Suspense>
    </Shell>
  );
}
