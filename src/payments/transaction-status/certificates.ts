/**
 * Safaricom's public M-Pesa certificates, which encrypt the initiator password into the
 * SecurityCredential. They are public (downloaded from the Daraja portal, "Getting Started").
 * The environment setting picks one; demo mode uses the simulator's own (wired in create-deps).
 */
import { readFileSync } from 'node:fs';

const load = (name: string) => readFileSync(new URL(`../certs/${name}.cer`, import.meta.url), 'utf8');

let cache: { sandbox: string; production: string } | null = null;

export function safaricomCertificate(environment: 'sandbox' | 'production'): string {
  cache ??= { sandbox: load('sandbox'), production: load('production') };
  return cache[environment];
}
