/**
 * Run `fn` over `items` with at most `window` calls in flight, in order of start. For work that
 * waits on a peer (a router's replies): one at a time pays a round trip per item, all at once
 * floods a small device.
 */
export async function inWindow<T>(items: T[], window: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, lane));
}
