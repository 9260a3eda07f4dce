/**
 * The simulator's fast path for an OR of equalities (a batch of users looked up by name or
 * comment) answers exactly as the general stack evaluation does, including the queries it must
 * not take (an operator short of operands reads RouterOS's implicit `true`).
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/protocols/routeros/types.ts';
import { matchesQuery, queryPredicate } from '../../src/sim/routeros/query.ts';

const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
  name: `U${i}`,
  comment: i % 3 ? `wavu:${i}` : '',
  ...(i % 5 ? { profile: 'p1' } : {}),
}));

const queries: string[][] = [
  ['name=U1', 'comment=wavu:2', '#|'],
  ['comment=wavu:4', 'name=U4', '#|', 'comment=wavu:7', 'name=U7', '#|', '#|'],
  ['name=U1', 'name=U2', 'name=U3', '#|', '#|'],
  ['name=U1', '#|'], // one operand: the OR reads the implicit true
  ['name=U1', 'name=U2', '#|', '#|'],
  ['name=U1', 'name=U2'], // two on the stack, no OR: both must hold
  ['comment=', 'name=U9', '#|'],
  ['profile=p1', 'name=U0', '#|'],
  ['name=U1', '-comment', '#|'],
  ['>name=U5', 'name=U1', '#|'],
];

describe('simulated RouterOS query', () => {
  for (const q of queries)
    it(`matches the same rows either way: ${q.join(' ')}`, () => {
      const fast = queryPredicate(q);
      expect(rows.filter(fast).map((r) => r.name)).toEqual(
        rows.filter((r) => matchesQuery(r, q)).map((r) => r.name),
      );
    });
});
