import { describe, expect, it } from 'vitest';
import { changesOf } from './changes.ts';

describe('changesOf', () => {
  it('lists only the fields whose value differs, as from/to', () => {
    expect(changesOf({ name: 'Hour', price: 20, active: true }, { name: 'Hour', price: 30 })).toEqual({
      price: { from: 20, to: 30 },
    });
  });

  it('compares dates by instant, so the same due date sent again is no change', () => {
    const due = new Date('2026-12-31T21:00:00Z');
    expect(changesOf({ dueAt: due }, { dueAt: new Date(due.getTime()) })).toEqual({});
    const later = new Date('2027-01-31T21:00:00Z');
    expect(changesOf({ dueAt: due }, { dueAt: later })).toEqual({ dueAt: { from: due, to: later } });
  });

  it('counts a field the old value lacked, or a date replaced by null', () => {
    const due = new Date('2026-12-31T21:00:00Z');
    expect(changesOf({ dueAt: due }, { dueAt: null, site: 'Block B' })).toEqual({
      dueAt: { from: due, to: null },
      site: { from: undefined, to: 'Block B' },
    });
  });
});
