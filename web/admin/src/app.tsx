import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, get, type Me, post, setCsrf, setOnSignedOut } from './api.ts';
import { AuditPage } from './pages/audit.tsx';
import { CustomersPage } from './pages/customers.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { LoginPage } from './pages/login.tsx';
import { PlansPage } from './pages/plans.tsx';
import { PurchasesPage } from './pages/purchases.tsx';
import { RoutersPage } from './pages/routers.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { StaffPage } from './pages/staff.tsx';
import { VouchersPage } from './pages/vouchers.tsx';
import { AccountPage } from './pages/account.tsx';
import type { Role } from './api.ts';
import { usePath } from './ui.tsx';

const PAGES: { id: string; label: string; roles: Role[] }[] = [
  { id: 'dashboard', label: 'Dashboard', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'purchases', label: 'Payments', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'vouchers', label: 'Vouchers & codes', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'sessions', label: 'Sessions', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'customers', label: 'Customers', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'plans', label: 'Plans', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'routers', label: 'Routers', roles: ['owner', 'admin', 'cashier', 'viewer'] },
  { id: 'settings', label: 'Settings', roles: ['owner', 'admin'] },
  { id: 'staff', label: 'Staff', roles: ['owner'] },
  { id: 'audit', label: 'Audit log', roles: ['owner', 'admin'] },
];

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(() => localStorage.getItem('wavu-theme') ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem('wavu-theme', theme);
  }, [theme]);
  const dark =
    theme === 'dark' || (theme === 'auto' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  return [theme, () => setTheme(dark ? 'light' : 'dark')];
}

export function App() {
  const qc = useQueryClient();
  const [path, go] = usePath();
  const [, toggleTheme] = useTheme();
  const [menu, setMenu] = useState(false);
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        const m = await get<Me>('/me');
        setCsrf(m.csrfToken);
        return m;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  useEffect(() => setOnSignedOut(() => qc.setQueryData(['me'], null)), [qc]);
  // Another account's data must not show after a sign-in; the `me` query itself stays observed.
  const forgetData = () => qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });

  if (me.isLoading) return <p className="center muted">Loading…</p>;
  if (!me.data) {
    return (
      <LoginPage
        onSignedIn={(m) => {
          setCsrf(m.csrfToken);
          forgetData();
          qc.setQueryData(['me'], m);
        }}
      />
    );
  }
  const role = me.data.user.role;
  const [page = 'dashboard', id] = path.split('/');
  const visible = PAGES.filter((p) => p.roles.includes(role));
  const current = visible.find((p) => p.id === page) ?? visible[0]!;
  const signOut = async () => {
    await post('/logout').catch(() => {});
    forgetData();
    qc.setQueryData(['me'], null);
  };
  const props = { role, id, go };
  return (
    <div className="shell">
      <header className="top">
        <button type="button" className="menu-btn" aria-label="Menu" onClick={() => setMenu(!menu)}>
          ☰
        </button>
        <strong className="brand">Wavu</strong>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={toggleTheme} aria-label="Switch light/dark">
          ◐
        </button>
        <button type="button" className="ghost" onClick={() => go('account')}>
          {me.data.user.username} · {role}
        </button>
        <button type="button" className="ghost" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className={menu ? 'side open' : 'side'}>
        {visible.map((p) => (
          <a
            key={p.id}
            href={`/admin/${p.id}`}
            className={p.id === current.id && page !== 'account' ? 'active' : ''}
            onClick={(e) => {
              e.preventDefault();
              setMenu(false);
              go(p.id);
            }}
          >
            {p.label}
          </a>
        ))}
      </nav>
      <main>
        {page === 'account' ? (
          <AccountPage />
        ) : current.id === 'dashboard' ? (
          <DashboardPage />
        ) : current.id === 'purchases' ? (
          <PurchasesPage {...props} />
        ) : current.id === 'vouchers' ? (
          <VouchersPage {...props} />
        ) : current.id === 'sessions' ? (
          <SessionsPage {...props} />
        ) : current.id === 'customers' ? (
          <CustomersPage {...props} />
        ) : current.id === 'plans' ? (
          <PlansPage {...props} />
        ) : current.id === 'routers' ? (
          <RoutersPage {...props} />
        ) : current.id === 'settings' ? (
          <SettingsPage {...props} />
        ) : current.id === 'staff' ? (
          <StaffPage {...props} />
        ) : (
          <AuditPage />
        )}
      </main>
    </div>
  );
}

export interface PageProps {
  role: Role;
  id: string | undefined;
  go: (to: string) => void;
}
