/** The operations both transports (binary API and v7 REST) offer, so callers do not care which. */
export type Row = Record<string, string>;

export interface RosResult {
  /** `!re` rows (print); empty for commands that return none (`!empty` on 7.18+ too). */
  rows: Row[];
  /** `=ret=` of `!done`: the new `.id` of an `add`, the count of `print =count-only=`. */
  ret: string | undefined;
}

export interface ExecOptions {
  /** Query words without the leading `?`, in order, e.g. `['name=K7Q2M9']` (print only). */
  query?: string[];
  /** Properties to return (print only). */
  proplist?: string[];
  timeoutMs?: number;
}

export type AttrValue = string | number | boolean | undefined;

export interface RouterOsApi {
  /** Run one command, e.g. `exec('/ip/hotspot/user/add', { name: 'X', profile: 'p' })`. */
  exec(command: string, attrs?: Record<string, AttrValue>, opts?: ExecOptions): Promise<RosResult>;
  close(): Promise<void>;
}

/** RouterOS renders booleans as true/false; it accepts yes/no too. */
export function toWire(v: Exclude<AttrValue, undefined>): string {
  return typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
}
