/**
 * SecurityCredential (Transaction Status, Reversal, B2C): the initiator's password encrypted with
 * the M-Pesa public key certificate, RSA with PKCS #1 v1.5 padding, base64. The sandbox and
 * production certificates differ; a credential made with the wrong one is answered 2001.
 */
import { constants, publicEncrypt, X509Certificate } from 'node:crypto';

export type CredentialResult = { ok: true; credential: string } | { ok: false; message: string };

export function securityCredential(password: string, certificatePem: string): CredentialResult {
  if (!password) return { ok: false, message: 'the initiator password is not set' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch (e) {
    return { ok: false, message: `the M-Pesa certificate cannot be read: ${(e as Error).message}` };
  }
  try {
    const out = publicEncrypt(
      { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(password, 'utf8'),
    );
    return { ok: true, credential: out.toString('base64') };
  } catch (e) {
    return { ok: false, message: `the initiator password cannot be encrypted: ${(e as Error).message}` };
  }
}
