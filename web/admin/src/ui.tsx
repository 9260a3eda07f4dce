/** Small shared pieces: formatting, the router, tables with keyset "load more", charts in plain SVG. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { get, qs, type Role } from './api.ts';

export const kes = (n: number) => `KES ${n.toLocaleString('en-KE')}`;
export const when = (iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString('en-KE', {
        timeZone: 'Africa/Nairobi',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '—';
export const phone = (p: string | null) => (p ? `0${p.slice(3, 6)} ${p.slice(6, 9)} ${p.slice(9)}` : '—');
export const duration = (s: number) =>
  s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`;

// --- routing: /admin/<page>/<id?> with the History API; the server falls back to index.html.
const readPath = () => window.location.pathname.replace(/^\/admin\/?/, '') || 'dashboard';

export function usePath(): [string, (to: string) => void] {
  const read = readPath;
  const [path, setPath] = useState(read);
  useEffect(() => {
    const on = () => setPath(read());
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

export const can = (role: Role, allowed: Role[]) => allowed.includes(role);

export function Badge({ value }: { value: string }) {
  return <span className={`badge b-${value}`}>{value}</span>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export interface Column<T> {
  label: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/** A list endpoint with keyset paging: pages of `items` and a `nextCursor`. */
export function usePaged<T>(
  path: string,
  params: Record<string, string | number | undefined>,
  refetchMs?: number,
) {
  return useInfiniteQuery({
    ...(refetchMs ? { refetchInterval: refetchMs } : {}),
    queryKey: [path, params],
    queryFn: ({ pageParam }) =>
      get<{ items: T[]; nextCursor: string | null }>(
        `${path}${qs({ ...params, cursor: pageParam ?? undefined })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function Table<T>({
  rows,
  columns,
  onRow,
  empty = 'Nothing here yet.',
  rowKey,
}: {
  rows: T[];
  columns: Column<T>[];
  onRow?: (row: T) => void;
  empty?: string;
  rowKey: (row: T) => string | number;
}) {
  if (!rows.length) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} className={c.className}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={rowKey(r)}
              onClick={onRow ? () => onRow(r) : undefined}
              className={onRow ? 'clickable' : ''}
            >
              {columns.map((c) => (
                <td key={c.label} data-label={c.label} className={c.className}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PagedTable<T>(props: {
  path: string;
  params: Record<string, string | number | undefined>;
  columns: Column<T>[];
  onRow?: (row: T) => void;
  rowKey: (row: T) => string | number;
  empty?: string;
  /** Refresh every this many ms while shown (live lists). */
  refetchMs?: number;
}) {
  const q = usePaged<T>(props.path, props.params, props.refetchMs);
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <ErrorNote error={q.error} />
      {q.isLoading ? <p className="muted">Loading…</p> : <Table {...props} rows={rows} />}
      {q.hasNextPage && (
        <button
          type="button"
          className="more"
          onClick={() => q.fetchNextPage()}
          disabled={q.isFetchingNextPage}
        >
          {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}

/** Vertical bars with a label under each, plain SVG scaled to its box. */
export function BarChart({
  data,
  format,
  title,
}: {
  data: { label: string; value: number }[];
  format: (n: number) => string;
  title: string;
}) {
  const W = 600;
  const H = 180;
  const pad = 22;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = (W - pad) / Math.max(1, data.length);
  const step = Math.ceil(data.length / 8);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H + pad}`} role="img" aria-label={title}>
        <line x1={pad} x2={W} y1={H} y2={H} className="axis" />
        <text x={0} y={12} className="tick">
          {format(max)}
        </text>
        {data.map((d, i) => {
          const h = (d.value / max) * (H - 20);
          return (
            <g key={d.label}>
              <rect x={pad + i * bw + 1} y={H - h} width={Math.max(1, bw - 2)} height={h} className="bar">
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {i % step === 0 && (
                <text x={pad + i * bw + bw / 2} y={H + 16} className="tick" textAnchor="middle">
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as children
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A UUID v4 (crypto.randomUUID needs HTTPS or localhost; a LAN demo has neither). */
export function newRequestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The search bar of every list page: the typed text is applied only on submit (Enter or the
 * button), so typing does not fire a query per keystroke. Extra filters go in as children.
 */
export function SearchForm(props: {
  placeholder: string;
  label: string;
  name?: string;
  onSearch: (q: string) => void;
  children?: ReactNode;
}) {
  const [q, setQ] = useState('');
  return (
    <form
      className="filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(q.trim());
      }}
    >
      <input
        type="search"
        name={props.name}
        placeholder={props.placeholder}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-label={props.label}
      />
      {props.children}
      <button type="submit">Search</button>
    </form>
  );
}
