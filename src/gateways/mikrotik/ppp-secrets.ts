/**
 * PPP subscribers on an api-mode MikroTik: `/ppp secret` (with the rate profile Wavu keeps for it)
 * and `/ppp active`. Used by the api adapter (direct and through a tunnel alike); only secrets
 * whose comment carries our `wavu-sub:` tag are ever changed, so the operator's own stay untouched.
 */
import type { Row, RouterOsApi } from '../../protocols/routeros/types.ts';
import { parseDuration } from '../../protocols/routeros/values.ts';
import type { PppActive, PppSecretSpec } from '../adapter.ts';

const SECRET = '/ppp/secret';
const PROFILE = '/ppp/profile';
const ACTIVE = '/ppp/active';

/** The fields whose value differs: only those are set (a `set` of equal values is a router write for nothing). */
function diff(cur: Row, want: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(want).filter(([k, v]) => (cur[k] ?? '') !== v));
}

export async function putPppSecret(api: RouterOsApi, s: PppSecretSpec): Promise<void> {
  if (s.rateLimit !== null) {
    const [p] = (await api.exec(`${PROFILE}/print`, {}, { query: [`name=${s.profile}`] })).rows;
    const want = { 'rate-limit': s.rateLimit, comment: 'wavu' };
    if (!p) await api.exec(`${PROFILE}/add`, { name: s.profile, ...want });
    else {
      const d = diff(p, want);
      if (Object.keys(d).length) await api.exec(`${PROFILE}/set`, { '.id': p['.id']!, ...d });
    }
  }
  const want = {
    password: s.password,
    service: 'pppoe',
    profile: s.profile,
    'remote-address': s.remoteAddress ?? '',
    disabled: s.disabled ? 'true' : 'false',
    comment: s.comment,
  };
  const [cur] = (await api.exec(`${SECRET}/print`, {}, { query: [`name=${s.name}`] })).rows;
  if (!cur) {
    await api.exec(`${SECRET}/add`, { name: s.name, ...want });
    return;
  }
  if (!cur.comment?.startsWith('wavu-sub:'))
    throw new Error(`/ppp secret ${s.name} exists on the router and is not Wavu's; rename one of them`);
  const d = diff(cur, want);
  if (Object.keys(d).length) await api.exec(`${SECRET}/set`, { '.id': cur['.id']!, ...d });
}

export async function removePppActive(api: RouterOsApi, name: string): Promise<number> {
  const rows = (await api.exec(`${ACTIVE}/print`, {}, { query: [`name=${name}`] })).rows;
  for (const r of rows) await api.exec(`${ACTIVE}/remove`, { '.id': r['.id']! });
  return rows.length;
}

export async function listPppActive(api: RouterOsApi): Promise<PppActive[]> {
  return (await api.exec(`${ACTIVE}/print`)).rows.map((r) => ({
    id: r['.id']!,
    name: r.name ?? '',
    address: r.address || null,
    callerId: r['caller-id'] || null,
    uptimeSeconds: parseDuration(r.uptime ?? '0s') ?? 0,
  }));
}
