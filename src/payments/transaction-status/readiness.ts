/**
 * Can this account ask Safaricom about a receipt (Transaction Status)? It needs an initiator name
 * and password, a shortcode, and a password that the environment's certificate can encrypt into
 * the SecurityCredential. The portal asks before every check; the admin's "Test" asks too, so a
 * missing initiator or an unusable certificate shows up on the page, not only in the logs.
 */
import type { Deps } from '../../app/deps.ts';
import { securityCredential } from '../../protocols/daraja/index.ts';
import type { AccountSettings } from '../accounts/live.ts';

export type StatusReadiness = { ok: true; credential: string } | { ok: false; problem: string };

export function statusCheckReadiness(
  deps: Pick<Deps, 'mpesaCertificate'>,
  m: Pick<AccountSettings, 'initiatorName' | 'initiatorPassword' | 'shortcode' | 'environment'>,
): StatusReadiness {
  if (!m.initiatorName || !m.initiatorPassword || !m.shortcode)
    return { ok: false, problem: 'the initiator name and password are not set' };
  const cred = securityCredential(m.initiatorPassword, deps.mpesaCertificate(m.environment));
  return cred.ok ? { ok: true, credential: cred.credential } : { ok: false, problem: cred.message };
}
