/** Routing: /admin/<page>/<id?> with the History API; the server falls back to index.html. */
import { useEffect, useState } from 'react';

/** '' for /admin itself: App picks the landing page (Setup while the first-run list is open). */
const readPath = () => window.location.pathname.replace(/^\/admin\/?/, '');

export function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(readPath);
  useEffect(() => {
    const on = () => setPath(readPath());
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const go = (to: string) => {
    window.history.pushState(null, '', `/admin/${to}`);
    setPath(to);
    window.scrollTo(0, 0);
  };
  return [path, go];
}
