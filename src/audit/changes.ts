/** One field's change, as an audit row's detail shows it. */
export type FieldChange = { from: unknown; to: unknown };

/**
 * The fields of `next` whose value differs from `before`, each as { from, to }: the detail of an
 * "update" audit row. Dates compare by instant, so re-sending the same due date is no change.
 */
export function changesOf(before: object, next: object): Record<string, FieldChange> {
  const was = before as Record<string, unknown>;
  const changes: Record<string, FieldChange> = {};
  for (const [k, v] of Object.entries(next)) {
    const old = was[k];
    const same = v instanceof Date ? old instanceof Date && old.getTime() === v.getTime() : old === v;
    if (!same) changes[k] = { from: old, to: v };
  }
  return changes;
}
