/** The frame around every page: the top bar (menu, theme, account, sign out) and the side nav. */
import { type ReactNode, useEffect, useState } from 'react';
import { chooseTheme, shownTheme, storedTheme, type ThemeChoice } from '../lib/theme.ts';

export interface NavItem {
  id: string;
  label: string;
}

function useTheme(): () => void {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  useEffect(() => chooseTheme(theme), [theme]);
  return () => setTheme(shownTheme(theme) === 'dark' ? 'light' : 'dark');
}

export function Shell(props: {
  nav: NavItem[];
  /** The highlighted nav item, or null (the account page is not in the nav). */
  current: string | null;
  account: string;
  go: (to: string) => void;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const toggleTheme = useTheme();
  const [menu, setMenu] = useState(false);
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
        <button type="button" className="ghost" onClick={() => props.go('account')}>
          {props.account}
        </button>
        <button type="button" className="ghost" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <nav className={menu ? 'side open' : 'side'}>
        {props.nav.map((p) => (
          <a
            key={p.id}
            href={`/admin/${p.id}`}
            className={p.id === props.current ? 'active' : ''}
            aria-current={p.id === props.current ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              setMenu(false);
              props.go(p.id);
            }}
          >
            {p.label}
          </a>
        ))}
      </nav>
      <main>{props.children}</main>
    </div>
  );
}

/** The "← Payments" link back from a detail view to its list. */
export function BackButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="ghost" onClick={onClick}>
      ← {label}
    </button>
  );
}
