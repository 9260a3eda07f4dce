/**
 * Items grouped by a key, in their order (items whose key is null are left out). For matching a
 * router's lists against the codes that should be on it: thousands on each side, so one pass
 * instead of a search of the whole list per code.
 */
export function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}
