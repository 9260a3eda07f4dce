/**
 * openNDS's Forwarding Authentication Service (FAS) wire formats, as openNDS 9.x/10.x sends and
 * reads them. Pure: no Wavu rules, no I/O.
 *
 *  - Level 1: `fas` = base64 of "hid=…, clientip=…, clientmac=…, …" (plain, so a client can read
 *    and forge it); the FAS sends the browser to
 *    `http://<gatewayaddress>/<authdir>/?tok=<sha256hex(hid + faskey)>&redir=…`.
 *  - Levels 2 and 3: `fas` + `iv`, AES-256-CBC. The key is the faskey as bytes, NUL-padded (or cut)
 *    to 32; the IV is the 16 ASCII characters of `iv`; the ciphertext is base64 twice (PHP's
 *    openssl_encrypt output, base64-encoded again).
 *  - Level 3's `authmon` POSTs `auth_get`, `gatewayhash` (sha256hex of the url-encoded
 *    gatewayname) and `payload` (base64). The answer to a `view`/`list` poll is
 *    `* <urlencoded "rhid minutes uprate downrate upquota downquota custom"> …`; authmon runs
 *    `ndsctl auth` for each and posts the rhids it authorised back as the next payload.
 */
import { createDecipheriv, createHash } from 'node:crypto';

export type FasLevel = 1 | 3;

/** The fields openNDS puts in `fas` (level 1 and 3 alike; 3 adds `authdir`). */
export interface FasParams {
  hid: string;
  clientip?: string;
  clientmac?: string;
  client_type?: string;
  gatewayname?: string;
  /** As sent, still url-encoded: sha256 of this is the gatewayhash authmon sends. */
  gatewaynameRaw?: string;
  gatewayurl?: string;
  version?: string;
  gatewayaddress?: string;
  gatewaymac?: string;
  originurl?: string;
  clientif?: string;
  authdir?: string;
  [k: string]: string | undefined;
}

export class FasDecodeError extends Error {}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The token openNDS expects back for a client: level 1's `tok`, level 3's `rhid`. */
export const rhid = (hid: string, faskey: string) => sha256hex(hid.trim() + faskey.trim());

/** What authmon sends as `gatewayhash`: sha256 of the url-encoded gateway name. */
export const gatewayHash = (gatewayName: string) => sha256hex(encodeURIComponent(gatewayName));

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** openNDS's ", "-separated `key=value` list. */
export function parseFasList(plain: string): FasParams {
  const out: Record<string, string> = {};
  for (const part of plain.split(', ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1);
    if (!/^[a-z_]{1,32}$/.test(k)) continue;
    out[k] = safeDecode(v);
    if (k === 'gatewayname') out.gatewaynameRaw = v;
  }
  if (!out.hid || !/^[0-9a-f]{16,128}$/i.test(out.hid)) throw new FasDecodeError('no valid hid in fas');
  return out as FasParams;
}

const B64 = /^[A-Za-z0-9+/=_-]+$/;

function b64(s: string): Buffer {
  if (!B64.test(s)) throw new FasDecodeError('not base64');
  return Buffer.from(s, 'base64');
}

/** Level 1: plain base64. */
export function decodeLevel1(fas: string): FasParams {
  if (fas.length > 8192) throw new FasDecodeError('fas too long');
  return parseFasList(b64(fas).toString('utf8'));
}

/** Levels 2 and 3: AES-256-CBC under the faskey; a wrong key or a forged `fas` throws. */
export function decodeLevel3(fas: string, iv: string, faskey: string): FasParams {
  if (fas.length > 16384) throw new FasDecodeError('fas too long');
  if (!/^[\x21-\x7e]{16,}$/.test(iv)) throw new FasDecodeError('iv must be 16 printable characters');
  const key = Buffer.alloc(32);
  Buffer.from(faskey, 'utf8').copy(key, 0, 0, 32);
  const ct = b64(b64(fas).toString('latin1').trim());
  if (ct.length === 0 || ct.length % 16 !== 0) throw new FasDecodeError('ciphertext is not whole blocks');
  let plain: string;
  try {
    const d = createDecipheriv('aes-256-cbc', key, Buffer.from(iv.slice(0, 16), 'latin1'));
    plain = Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  } catch {
    throw new FasDecodeError('fas does not decrypt with this faskey');
  }
  // A wrong key passes the padding check about one time in 256: the fields must still parse.
  if (!plain.includes('hid=')) throw new FasDecodeError('fas does not decrypt with this faskey');
  return parseFasList(plain);
}

/** One authorisation for authmon. Rates in kbit/s, quotas in kB; 0 = openNDS's default / none. */
export interface AuthmonAuth {
  rhid: string;
  minutes: number;
  upKbps: number;
  downKbps: number;
  upQuotaKb: number;
  downQuotaKb: number;
  /** Free text openNDS stores with the client (shows in `ndsctl json`). */
  custom: string;
}

const whole = (n: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/** The `view`/`list` answer: `*` then one url-encoded line per client (authmon decodes `%XX`). */
export function authmonReply(auths: AuthmonAuth[]): string {
  const lines = auths.map((a) =>
    encodeURIComponent(
      [
        a.rhid,
        whole(a.minutes),
        whole(a.upKbps),
        whole(a.downKbps),
        whole(a.upQuotaKb),
        whole(a.downQuotaKb),
        Buffer.from(a.custom, 'utf8').toString('base64'),
      ].join(' '),
    ),
  );
  return ['*', ...lines].join(' ');
}

/** The rhids in an acknowledgement payload ("* rhid1 rhid2"); none for "none" or "*". */
export function ackedRhids(payload: string): string[] {
  return payload
    .replace(/\*/g, ' ')
    .split(/\s+/)
    .filter((r) => /^[0-9a-f]{64}$/.test(r));
}

/** `payload` as authmon and post-request.php send it: base64 of the text. */
export function decodePayload(payload: string | undefined): string {
  if (!payload) return '';
  try {
    return Buffer.from(payload, 'base64').toString('utf8');
  } catch {
    return '';
  }
}

/** One client of `ndsctl json` (openNDS 9.x/10.x: numbers come as strings; kB counters). */
export interface NdsClient {
  mac: string;
  ip: string | null;
  token: string | null;
  state: string;
  sessionStart: number | null;
  downloadKb: number;
  uploadKb: number;
}

/**
 * Reads `ndsctl json` output. Anything that is not one is null, not an empty list: ndsctl fails
 * while another ndsctl holds its lock, and "could not ask" must never read as "nobody online".
 */
export function parseNdsctlJson(text: string): NdsClient[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object') return null;
  const clients = (doc as { clients?: unknown }).clients ?? {};
  if (typeof clients !== 'object') return null;
  const out: NdsClient[] = [];
  for (const [key, raw] of Object.entries(clients as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const c = raw as Record<string, unknown>;
    const mac = String(c.mac ?? key);
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) continue;
    const num = (v: unknown) => {
      const n = Number(v);
      return Number.isFinite(n) && n >= 0 ? n : 0;
    };
    const start = Number(c.session_start);
    out.push({
      mac: mac.toUpperCase(),
      ip: typeof c.ip === 'string' ? c.ip : null,
      token: typeof c.token === 'string' ? c.token : null,
      state: String(c.state ?? ''),
      sessionStart: Number.isFinite(start) && start > 0 ? start : null,
      downloadKb: num(c.download_this_session),
      uploadKb: num(c.upload_this_session),
    });
  }
  return out;
}
