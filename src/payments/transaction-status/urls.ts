import type { Config } from '../../config.ts';

/** Where M-Pesa sends a Transaction Status answer (no word Daraja refuses, like "query"). */
export function statusCallbackUrls(config: Config) {
  const base = `${config.publicUrl}/callbacks/status`;
  const s = config.mpesa.callbackSecret;
  return { result: `${base}/result/${s}`, timeout: `${base}/timeout/${s}` };
}
