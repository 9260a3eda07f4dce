/** Form pieces: a labelled field, and the search bar of the list pages. */
import { type ReactNode, useState } from 'react';

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as children
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
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
