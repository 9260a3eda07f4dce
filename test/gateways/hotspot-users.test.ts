/**
 * The hotspot user's limits as reconcile keeps them. A wall-clock code's time runs out whether
 * or not its user is online, but the router counts online time only: for a user who stays
 * offline the wanted limit-uptime falls a minute every minute, and reconcile runs every minute.
 */
import { describe, expect, it } from 'vitest';
import type { AccessSpec } from '../../src/gateways/adapter.ts';
import { TIGHTEN_UNTIL_S, userAttrs } from '../../src/gateways/mikrotik/hotspot-users.ts';
import { parseDuration } from '../../src/protocols/routeros/values.ts';
import type { Row } from '../../src/protocols/routeros/types.ts';

const spec = (secondsLeft: number): AccessSpec => ({
  accessCodeId: '7d1c1f3e-0000-4000-8000-000000000001',
  code: 'K7P2QX',
  planId: 1,
  clock: 'wall',
  secondsLeft,
  bytesLeft: null,
  throttled: false,
  rateUpKbps: 512,
  rateDownKbps: 2048,
  devices: 1,
  macs: [],
});

/** A day's code, its user offline, reconciled once a minute; returns the sets and the user. */
function reconcileEachMinute(start: number, minutes: number, change?: (minute: number) => number) {
  let user: Row = { ...userAttrs(spec(start), undefined, []), uptime: '0s' };
  let left = start;
  let sets = 0;
  for (let m = 1; m <= minutes; m++) {
    left = change ? change(m) : left - 60;
    const diff = userAttrs(spec(left), user, []);
    if (Object.keys(diff).length) {
      sets++;
      user = { ...user, ...diff };
    }
    // Never shorter than what is left: the router would cut the user off early.
    expect(parseDuration(user['limit-uptime']!)!).toBeGreaterThanOrEqual(left - 60);
  }
  return { sets, user, left };
}

describe('limit-uptime of an offline wall-clock user', () => {
  it('is not rewritten at every reconcile as the day runs out', () => {
    // 1,439 reconciles of a day's code: before, each minute past the first set the user again.
    const { sets, user, left } = reconcileEachMinute(86_400, 1_439);
    expect(sets).toBeLessThan(40);
    // Tight at the end: the last tightening (TIGHTEN_UNTIL_S left, a minute's slack) was a minute
    // ago, so the limit is at most TIGHTEN_UNTIL_S over the minute now left.
    expect(parseDuration(user['limit-uptime']!)! - left).toBeLessThanOrEqual(TIGHTEN_UNTIL_S);
  });

  it('is left alone in its last minutes, when its expiry is about to take it off', () => {
    // Reconciled at 10, 5 and 1 minute(s) before the end, the user offline throughout.
    let user: Row = { ...userAttrs(spec(600), undefined, []), uptime: '0s' };
    const at5 = userAttrs(spec(300), user, []);
    expect(at5['limit-uptime']).toBeDefined(); // 600 s set, 300 s left: tightened
    user = { ...user, ...at5 };
    expect(userAttrs(spec(TIGHTEN_UNTIL_S - 60), user, [])).toEqual({});
    // Too short is still raised at once, however near the end (a top-up).
    expect(userAttrs(spec(TIGHTEN_UNTIL_S - 60 + 3_600), user, [])['limit-uptime']).toBeDefined();
  });

  it('stays within a quarter of what is left', () => {
    const { user, left } = reconcileEachMinute(86_400, 600);
    expect(parseDuration(user['limit-uptime']!)!).toBeLessThanOrEqual(left * 1.25 + 60);
  });

  it('is raised at once when the code gets more time (a top-up)', () => {
    let user: Row = userAttrs(spec(3_600), undefined, []);
    const diff = userAttrs(spec(3_600 + 7_200), user, []);
    expect(parseDuration(diff['limit-uptime']!)).toBe(10_800);
    user = { ...user, ...diff };
    expect(userAttrs(spec(10_800), user, [])).toEqual({});
  });
});
