/** Tables: a plain one over rows in hand, and one over a keyset-paged list with "Load more". */
import type { ReactNode } from 'react';
import type { PagedQuery } from '../hooks/api/paged.ts';
import { ErrorNote } from './feedback.tsx';

export interface Column<T> {
  label: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

interface TableProps<T> {
  columns: Column<T>[];
  onRow?: (row: T) => void;
  empty?: string;
  rowKey: (row: T) => string | number;
  /** What screen readers call the table's scroll box (not a column name: that would read as a field label). */
  label?: string;
}

export function Table<T>({
  rows,
  columns,
  onRow,
  empty = 'Nothing here yet.',
  rowKey,
  label,
}: TableProps<T> & { rows: T[] }) {
  if (!rows.length) return <p className="muted">{empty}</p>;
  // The box scrolls sideways on narrow screens: keyboard users must be able to focus it to scroll.
  return (
    <section
      className="table-wrap"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll box must take focus to scroll by keyboard (WCAG 2.1.1).
      tabIndex={0}
      aria-label={label ?? 'Scrollable table'}
    >
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
    </section>
  );
}

/** The rows of a paged list hook (hooks/api/*: usePurchases, useCodes…), fetched page by page. */
export function PagedTable<T>({ query: q, ...props }: TableProps<T> & { query: PagedQuery<T> }) {
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
