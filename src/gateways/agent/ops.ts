/** From a command intent and the router's last report to the allowlisted RouterOS operations. */
import type { Row } from '../../protocols/routeros/types.ts';
import type { AccessSpec, PppSecretSpec } from '../adapter.ts';
import { profileAttrs, profileName, userAttrs, userComment } from '../mikrotik/hotspot-users.ts';
import type { AgentReport } from './report.ts';
import type { Op } from './script.ts';

/** What the router has already counted against this code (user totals + live sessions). */
function countedRows(report: AgentReport | null, code: string): Row[] {
  if (!report) return [];
  const user = report.users.find((u) => u.name === code);
  const live = report.sessions
    .filter((s) => s.user === code)
    .map((s) => ({
      uptime: `${s.uptimeSeconds}s`,
      'bytes-in': String(s.bytesIn),
      'bytes-out': String(s.bytesOut),
    }));
  return [
    ...(user
      ? [{ uptime: user.uptime!, 'bytes-in': user['bytes-in']!, 'bytes-out': user['bytes-out']! }]
      : []),
    ...live,
  ];
}

/** Same user and profile as api mode (hotspot-users.ts), as add-or-set lines. */
export function grantOps(spec: AccessSpec, report: AgentReport | null): Op[] {
  const user = userAttrs(spec, undefined, countedRows(report, spec.code));
  return [
    {
      menu: 'ip hotspot user profile',
      verb: 'upsert',
      attrs: { name: profileName(spec.planId, spec.throttled), ...profileAttrs(spec) },
    },
    {
      menu: 'ip hotspot user',
      verb: 'upsert',
      // Over a fair-use cap: a data limit left from before must not cut the user off (0 = none).
      attrs: { ...user, ...(spec.throttled ? { 'limit-bytes-total': '0' } : {}), disabled: 'no' },
    },
  ];
}

/** Our user, its live sessions and its login cookies. */
export function revokeOps(accessCodeId: string, username: string | undefined): Op[] {
  const ops: Op[] = [
    { menu: 'ip hotspot user', verb: 'remove', where: [['comment', userComment(accessCodeId)]] },
  ];
  if (username) {
    ops.push(
      { menu: 'ip hotspot active', verb: 'remove', where: [['user', username]] },
      { menu: 'ip hotspot cookie', verb: 'remove', where: [['user', username]] },
    );
  }
  return ops;
}

/** One device's session and cookie: by MAC when known, else by address, else by user. */
export function disconnectOps(ref: { mac?: string; ip?: string; username?: string }): Op[] {
  if (ref.mac) {
    return [
      { menu: 'ip hotspot active', verb: 'remove', where: [['mac-address', ref.mac]] },
      { menu: 'ip hotspot cookie', verb: 'remove', where: [['mac-address', ref.mac]] },
    ];
  }
  if (ref.ip) return [{ menu: 'ip hotspot active', verb: 'remove', where: [['address', ref.ip]] }];
  if (ref.username) {
    return [
      { menu: 'ip hotspot active', verb: 'remove', where: [['user', ref.username]] },
      { menu: 'ip hotspot cookie', verb: 'remove', where: [['user', ref.username]] },
    ];
  }
  return [];
}

/**
 * A PPP subscriber's `/ppp secret` and the rate profile Wavu keeps for it, as api mode writes them
 * (mikrotik/ppp-secrets.ts); a secret of that name that is not ours makes the command fail.
 */
export function pppSecretOps(s: PppSecretSpec): Op[] {
  const ops: Op[] = [];
  if (s.rateLimit !== null) {
    ops.push({
      menu: 'ppp profile',
      verb: 'upsert',
      attrs: { name: s.profile, 'rate-limit': s.rateLimit, comment: 'wavu' },
    });
  }
  ops.push({
    menu: 'ppp secret',
    verb: 'upsert',
    attrs: {
      name: s.name,
      password: s.password,
      service: 'pppoe',
      profile: s.profile,
      'remote-address': s.remoteAddress ?? '',
      disabled: s.disabled ? 'yes' : 'no',
      comment: s.comment,
    },
    ownedIf: {
      prop: 'comment',
      pattern: '^wavu-sub:',
      refusal: `the /ppp secret ${s.name} is not Wavu's`,
    },
  });
  return ops;
}

/** End a subscriber's live PPP sessions (it re-dials with the new secret). */
export const pppKickOps = (name: string): Op[] => [
  { menu: 'ppp active', verb: 'remove', where: [['name', name]] },
];
