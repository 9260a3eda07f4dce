/** The server end's key pair: made once, on first need, and kept (sealed) in `wireguard_server`. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../app/deps.ts';
import { query } from '../../db/open.ts';
import { generateKeyPair, type WgKeyPair } from './keys.ts';

export async function serverKeyPair(deps: Pick<Deps, 'db' | 'sealer' | 'clock'>): Promise<WgKeyPair> {
  const read = async () => {
    const [row] = await query<{ private_key_sealed: string; public_key: string }>(
      deps.db,
      sql`SELECT private_key_sealed, public_key FROM wireguard_server WHERE id = 1`,
    );
    return row ? { privateKey: deps.sealer.unseal(row.private_key_sealed), publicKey: row.public_key } : null;
  };
  const have = await read();
  if (have) return have;
  const k = generateKeyPair();
  // Two processes may get here together: the first insert wins and both read what it stored.
  await query(
    deps.db,
    sql`INSERT INTO wireguard_server (id, private_key_sealed, public_key, created_at)
        VALUES (1, ${deps.sealer.seal(k.privateKey)}, ${k.publicKey}, ${deps.clock.now()})
        ON CONFLICT (id) DO NOTHING`,
  );
  return (await read())!;
}
