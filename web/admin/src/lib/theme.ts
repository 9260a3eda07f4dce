/**
 * The colour theme: 'light', 'dark', or 'auto' to follow the system. The stylesheet keeps a
 * single dark palette, on `:root[data-theme="dark"]`, so 'auto' is resolved here (and again
 * whenever the system setting changes) instead of by a second copy of it in a media query.
 */
export type ThemeChoice = 'light' | 'dark' | 'auto';

const KEY = 'wavu-theme';
const systemDark = () => window.matchMedia('(prefers-color-scheme: dark)');

export function storedTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'auto';
}

/** The palette a choice shows now. */
export function shownTheme(choice: ThemeChoice): 'light' | 'dark' {
  return choice === 'auto' ? (systemDark().matches ? 'dark' : 'light') : choice;
}

export function chooseTheme(choice: ThemeChoice): void {
  localStorage.setItem(KEY, choice);
  document.documentElement.dataset.theme = shownTheme(choice);
}

/** At start, before the first render: apply the stored choice and follow the system while 'auto'. */
export function applyStoredTheme(): void {
  chooseTheme(storedTheme());
  systemDark().addEventListener('change', () => chooseTheme(storedTheme()));
}
