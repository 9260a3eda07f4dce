/**
 * What an agent router sends on each poll: a small line format its script can build without
 * JSON escaping (RouterOS has none). Pure parsing, no business rules.
 *
 *   wavu-agent 1
 *   identity <text>
 *   version <text>
 *   uptime <RouterOS time>
 *   boot <text>              changes when the router's record of the commands it ran is lost
 *   a <command id> ok|err|dup                       result of a command the router ran
 *   s <.id>|<mac>|<ip>|<uptime>|<bytes-in>|<bytes-out>|<user>      a live session
 *   p <.id>|<caller-id>|<address>|<uptime>|<name>                   a live PPP session (/ppp active)
 *   u <uptime>|<bytes-in>|<bytes-out>|<limit-uptime>|<limit-bytes-total>|<mac>|<disabled>|<profile>|<comment>|<name>
 *
 * The name comes last, so a `|` in it cannot shift the others (our comments never hold one).
 */
import { parseDuration } from '../../protocols/routeros/values.ts';
import type { Row } from '../../protocols/routeros/types.ts';

export const MAX_REPORT_BYTES = 256 * 1024;
const MAX_LINES = 5_000;

export type AckResult = 'ok' | 'err' | 'dup';

export interface AgentReport {
  identity: string;
  version: string;
  uptimeSeconds: number;
  boot: string;
  acks: { id: number; result: AckResult }[];
  sessions: {
    id: string;
    mac: string;
    ip: string;
    uptimeSeconds: number;
    bytesIn: number;
    bytesOut: number;
    user: string;
  }[];
  /** Our hotspot users (comment `wavu:…`) as RouterOS rows, for reconcile. */
  users: Row[];
  /** Live PPP sessions; absent in reports of agents installed before PPP (read as none). */
  ppp?: { id: string; callerId: string; address: string; uptimeSeconds: number; name: string }[];
}

export class ReportError extends Error {
  override name = 'ReportError';
}

/** RouterOS times: `1h2m3s`, `01:02:03`, `3d01:02:03`, `1w2d01:02:03`. */
export function parseRosTime(v: string): number | null {
  const w = /^(\d+)w(.*)$/.exec(v.trim());
  if (w) {
    const rest = w[2] === '' ? 0 : parseRosTime(w[2]!);
    return rest === null ? null : Number(w[1]) * 604800 + rest;
  }
  return parseDuration(v);
}

const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const num = (s: string, what: string): number => {
  if (!/^\d{1,18}$/.test(s)) throw new ReportError(`${what} is not a number`);
  return Number(s);
};
const time = (s: string, what: string): number => {
  const t = parseRosTime(s);
  if (t === null) throw new ReportError(`${what} is not a RouterOS time`);
  return t;
};
const text = (s: string, what: string): string => {
  if (s.length > 200) throw new ReportError(`${what} is too long`);
  return s;
};

export function parseReport(body: string): AgentReport {
  if (body.length > MAX_REPORT_BYTES) throw new ReportError('report too large');
  const lines = body.split(/\r?\n/).filter((l) => l !== '');
  if (lines.length > MAX_LINES) throw new ReportError('too many lines');
  if (lines[0] !== 'wavu-agent 1') throw new ReportError('not a Wavu agent report (first line)');
  const r: AgentReport = {
    identity: '',
    version: '',
    uptimeSeconds: 0,
    boot: '',
    acks: [],
    sessions: [],
    users: [],
    ppp: [],
  };
  let sawUptime = false;
  for (const [n, line] of lines.slice(1).entries()) {
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const where = `line ${n + 2}`;
    switch (key) {
      case 'identity':
        r.identity = text(rest, 'identity');
        break;
      case 'boot':
        r.boot = text(rest, 'boot');
        break;
      case 'version':
        r.version = text(rest, 'version');
        break;
      case 'uptime':
        r.uptimeSeconds = time(rest, 'uptime');
        sawUptime = true;
        break;
      case 'a': {
        const m = /^(\d{1,15}) (ok|err|dup)$/.exec(rest);
        if (!m) throw new ReportError(`${where}: bad ack`);
        r.acks.push({ id: Number(m[1]), result: m[2] as AckResult });
        break;
      }
      case 's': {
        const f = rest.split('|');
        if (f.length < 7) throw new ReportError(`${where}: bad session`);
        const [id, mac, ip, up, bi, bo] = f as [string, string, string, string, string, string];
        if (!/^\*[0-9A-Fa-f]{1,16}$/.test(id)) throw new ReportError(`${where}: bad session id`);
        if (mac !== '' && !MAC.test(mac)) throw new ReportError(`${where}: bad MAC`);
        if (!/^[0-9.]{0,15}$/.test(ip)) throw new ReportError(`${where}: bad address`);
        r.sessions.push({
          id,
          mac: mac.toUpperCase(),
          ip,
          uptimeSeconds: time(up, `${where} uptime`),
          bytesIn: num(bi, `${where} bytes-in`),
          bytesOut: num(bo, `${where} bytes-out`),
          user: text(f.slice(6).join('|'), `${where} user`),
        });
        break;
      }
      case 'p': {
        const f = rest.split('|');
        if (f.length < 5) throw new ReportError(`${where}: bad PPP session`);
        const [id, caller, address, up] = f as [string, string, string, string];
        if (!/^\*[0-9A-Fa-f]{1,16}$/.test(id)) throw new ReportError(`${where}: bad PPP session id`);
        if (!/^[0-9.]{0,15}$/.test(address)) throw new ReportError(`${where}: bad address`);
        r.ppp!.push({
          id,
          callerId: text(caller, `${where} caller-id`),
          address,
          uptimeSeconds: time(up, `${where} uptime`),
          name: text(f.slice(4).join('|'), `${where} name`),
        });
        break;
      }
      case 'u': {
        const f = rest.split('|');
        if (f.length < 10) throw new ReportError(`${where}: bad user`);
        const [up, bi, bo, lu, lb, mac, disabled, profile, comment] = f as string[] as [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        time(up, `${where} uptime`);
        num(bi, `${where} bytes-in`);
        num(bo, `${where} bytes-out`);
        r.users.push({
          uptime: up,
          'bytes-in': bi,
          'bytes-out': bo,
          'limit-uptime': lu,
          'limit-bytes-total': lb,
          'mac-address': mac,
          disabled,
          profile: text(profile, `${where} profile`),
          comment: text(comment, `${where} comment`),
          name: text(f.slice(9).join('|'), `${where} name`),
        });
        break;
      }
      default:
        throw new ReportError(`${where}: unknown line`);
    }
  }
  if (!sawUptime) throw new ReportError('uptime missing');
  return r;
}
