/**
 * Problems that repeat (a job kind failing on every retry, a router down for an hour) are logged
 * at warn once per episode: the first failure, then one "recovered" line when it works again.
 * The retries in between go to debug, so an operator reading the log sees one line per problem,
 * not one per attempt. Episodes are per process: each node that meets the problem says so once.
 */
import type { Logger } from 'pino';

export interface Episodes {
  /**
   * Something failed. Warn if `key` was fine until now; debug while the episode goes on.
   * `final`: a failure that will not be retried (a dead job) is an error every time, and opens
   * the episode all the same, so its recovery is reported too.
   */
  failed(key: string, fields: Record<string, unknown>, msg: string, final?: boolean): void;
  /** It worked. If `key` was failing, warn once that it recovered (with how many failures it took). */
  recovered(key: string, fields: Record<string, unknown>, msg: string): void;
}

export function createEpisodes(log: Logger): Episodes {
  /** Failures counted per key that is in an episode now. */
  const open = new Map<string, number>();
  return {
    failed(key, fields, msg, final = false) {
      const n = open.get(key);
      open.set(key, (n ?? 0) + 1);
      if (final) log.error(fields, msg);
      else if (n === undefined) log.warn(fields, msg);
      else log.debug({ ...fields, failures: n + 1 }, msg);
    },
    recovered(key, fields, msg) {
      const n = open.get(key);
      if (n === undefined) return;
      open.delete(key);
      log.warn({ ...fields, failures: n }, msg);
    },
  };
}
