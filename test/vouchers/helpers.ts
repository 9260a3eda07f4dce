import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../src/app/deps.ts';
import { query } from '../../src/db/open.ts';

export async function planId(deps: Deps, name: string): Promise<number> {
  const [r] = await query<{ id: number }>(deps.db, sql`SELECT id FROM plans WHERE name = ${name}`);
  return Number(r!.id);
}

export const newId = () => randomUUID();
