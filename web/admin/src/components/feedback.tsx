/** Status and messages: a coloured status badge, an error line, a "saved" line. */
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

/** The outcome of a save: its error, or "Saved." once it went through. */
export function Saved({ m }: { m: { error: unknown; isSuccess: boolean } }) {
  return (
    <>
      <ErrorNote error={m.error} />
      {m.isSuccess && <p className="ok">Saved.</p>}
    </>
  );
}
