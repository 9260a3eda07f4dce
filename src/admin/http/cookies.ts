import type { Config } from '../../config.ts';

/**
 * The session cookie. In production it is `__Host-` prefixed (browser enforces Secure, Path=/ and
 * no Domain); the demo runs on plain http://localhost so it cannot be Secure there.
 */
export const cookieName = (config: Config) => (config.demo ? 'wavu_admin' : '__Host-wavu_admin');

export function sessionCookie(config: Config, token: string, maxAgeSeconds: number): string {
  const parts = [
    `${cookieName(config)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (!config.demo) parts.push('Secure');
  return parts.join('; ');
}

export const clearCookie = (config: Config) => sessionCookie(config, '', 0);

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
