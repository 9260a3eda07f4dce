/**
 * Everything in RADIUS that involves the shared secret: request/response authenticators
 * (RFC 2865 §3, RFC 2866 §3, RFC 5176 §2.3), User-Password hiding (RFC 2865 §5.2), CHAP
 * (RFC 1994 via RFC 2865 §2.2) and Message-Authenticator (RFC 3579 §3.2).
 *
 * Message-Authenticator rules follow what FreeRADIUS signs and verifies: Access-* packets use the
 * Request Authenticator in the header while hashing; Accounting, Disconnect and CoA requests and
 * Accounting-Response use 16 zero octets. We put it FIRST in every packet we sign (BlastRADIUS
 * guidance: clients that do not check it are still protected by its position).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  encodePacket,
  HEADER_LENGTH,
  MESSAGE_AUTHENTICATOR,
  RadiusCode,
  RadiusDecodeError,
  type RadiusAttribute,
  type RadiusPacket,
} from './packet.ts';

const ZERO16 = Buffer.alloc(16);
const USER_PASSWORD = 2;

const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const safeEqual = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Codes whose Request Authenticator is MD5 over the packet (not random). */
const isSignedRequest = (code: number) =>
  code === RadiusCode.AccountingRequest ||
  code === RadiusCode.DisconnectRequest ||
  code === RadiusCode.CoaRequest;

// ---- User-Password -------------------------------------------------------------------------

export function hidePassword(password: Buffer | string, secret: Buffer | string, ra: Buffer): Buffer {
  const p = Buffer.from(password);
  if (p.length > 128) throw new RangeError('User-Password longer than 128 octets');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
  p.copy(padded);
  const s = Buffer.from(secret);
  const out = Buffer.alloc(padded.length);
  let prev = ra;
  for (let i = 0; i < padded.length; i += 16) {
    const b = md5(s, prev);
    for (let j = 0; j < 16; j++) out[i + j] = padded[i + j]! ^ b[j]!;
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** Reverse of hidePassword; trailing NULs are padding. */
export function unhidePassword(hidden: Buffer, secret: Buffer | string, ra: Buffer): Buffer {
  if (hidden.length === 0 || hidden.length % 16 !== 0 || hidden.length > 128)
    throw new RadiusDecodeError('bad_password_length', `User-Password of ${hidden.length} octets`);
  const s = Buffer.from(secret);
  const out = Buffer.alloc(hidden.length);
  let prev = ra;
  for (let i = 0; i < hidden.length; i += 16) {
    const b = md5(s, prev);
    for (let j = 0; j < 16; j++) out[i + j] = hidden[i + j]! ^ b[j]!;
    prev = hidden.subarray(i, i + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

// ---- CHAP ----------------------------------------------------------------------------------

export function chapResponse(ident: number, password: Buffer | string, challenge: Buffer): Buffer {
  return md5(Buffer.from([ident]), Buffer.from(password), challenge);
}

/**
 * True if the packet's CHAP-Password was made from `password`. The challenge is CHAP-Challenge
 * when present, otherwise the Request Authenticator (RFC 2865 §2.2).
 */
export function verifyChap(p: RadiusPacket, password: Buffer | string): boolean {
  const chap = p.attributes.find((a) => a.type === 3 && a.vendorId === undefined)?.value;
  if (chap?.length !== 17) return false;
  const challenge =
    p.attributes.find((a) => a.type === 60 && a.vendorId === undefined)?.value ?? p.authenticator;
  return safeEqual(chapResponse(chap[0]!, password, challenge), chap.subarray(1));
}

// ---- Message-Authenticator -----------------------------------------------------------------

/** Offset of the M-A value in raw, or -1. Walks the TLVs of an already-decoded packet. */
function messageAuthenticatorOffset(raw: Buffer): number {
  let off = HEADER_LENGTH;
  while (off + 2 <= raw.length) {
    const len = raw[off + 1]!;
    if (len < 2) return -1;
    if (raw[off] === MESSAGE_AUTHENTICATOR && len === 18) return off + 2;
    off += len;
  }
  return -1;
}

function hmacWith(raw: Buffer, maOffset: number, headerAuth: Buffer, secret: Buffer | string): Buffer {
  const copy = Buffer.from(raw);
  headerAuth.copy(copy, 4);
  copy.fill(0, maOffset, maOffset + 16);
  return createHmac('md5', Buffer.from(secret)).update(copy).digest();
}

export type MessageAuthCheck = 'absent' | 'valid' | 'invalid';

/** Check the M-A of a packet, hashing with the given value in the Authenticator field. */
export function checkMessageAuthenticator(
  raw: Buffer,
  secret: Buffer | string,
  headerAuths: Buffer[],
): MessageAuthCheck {
  const off = messageAuthenticatorOffset(raw);
  if (off < 0) return 'absent';
  const got = raw.subarray(off, off + 16);
  return headerAuths.some((h) => safeEqual(hmacWith(raw, off, h, secret), got)) ? 'valid' : 'invalid';
}

// ---- requests ------------------------------------------------------------------------------

export type RequestCheck =
  | { ok: true; messageAuthenticator: 'absent' | 'valid' }
  | { ok: false; reason: 'bad_authenticator' | 'bad_message_authenticator' };

/**
 * Verify a request from a NAS (or, for Disconnect/CoA, from a server). Access-Request and
 * Status-Server have a random authenticator, so only their M-A (if any) proves the secret;
 * Accounting/Disconnect/CoA requests carry an MD5 over the packet and the secret.
 */
export function verifyRequest(p: RadiusPacket, secret: Buffer | string): RequestCheck {
  if (isSignedRequest(p.code)) {
    const copy = Buffer.from(p.raw);
    ZERO16.copy(copy, 4);
    if (!safeEqual(md5(copy, Buffer.from(secret)), p.authenticator))
      return { ok: false, reason: 'bad_authenticator' };
    const ma = checkMessageAuthenticator(p.raw, secret, [ZERO16]);
    return ma === 'invalid'
      ? { ok: false, reason: 'bad_message_authenticator' }
      : { ok: true, messageAuthenticator: ma };
  }
  const ma = checkMessageAuthenticator(p.raw, secret, [p.authenticator]);
  return ma === 'invalid'
    ? { ok: false, reason: 'bad_message_authenticator' }
    : { ok: true, messageAuthenticator: ma };
}

/**
 * Encode and sign a request. User-Password attributes are given in clear and hidden here.
 * `messageAuthenticator` (default true) adds a Message-Authenticator as the first attribute.
 */
export function encodeRequest(o: {
  code: number;
  identifier: number;
  attributes: RadiusAttribute[];
  secret: Buffer | string;
  /** Access-Request/Status-Server only: fixed Request Authenticator (tests); random otherwise. */
  authenticator?: Buffer;
  messageAuthenticator?: boolean;
}): Buffer {
  const signed = isSignedRequest(o.code);
  const ra = signed ? ZERO16 : (o.authenticator ?? randomBytes(16));
  const attrs = o.attributes.map((a) =>
    a.type === USER_PASSWORD && a.vendorId === undefined && !signed
      ? { ...a, value: hidePassword(a.value, o.secret, ra) }
      : a,
  );
  const withMa = o.messageAuthenticator !== false;
  const packet = encodePacket({
    code: o.code,
    identifier: o.identifier,
    authenticator: ra,
    attributes: withMa ? [{ type: MESSAGE_AUTHENTICATOR, value: ZERO16 }, ...attrs] : attrs,
  });
  if (withMa) hmacInto(packet, o.secret);
  if (signed) md5(packet, Buffer.from(o.secret)).copy(packet, 4);
  return packet;
}

// ---- responses -----------------------------------------------------------------------------

/**
 * The M-A of a response is computed with this in the Authenticator field (see file comment). An
 * Accounting-Response to Status-Server is the exception: radclient checks it with the request's
 * authenticator, like an Access-Accept.
 */
const responseMaAuth = (code: number, request: { code?: number; authenticator: Buffer }) =>
  code === RadiusCode.AccountingResponse && request.code !== RadiusCode.StatusServer
    ? ZERO16
    : request.authenticator;

/**
 * Encode and sign a response to `request`: Message-Authenticator first (default on), then the
 * Response Authenticator MD5(Code‖Id‖Length‖RequestAuth‖Attributes‖Secret) over the final packet.
 */
export function encodeResponse(o: {
  code: number;
  /** The request answered; its code matters only for Status-Server. */
  request: { code?: number; identifier: number; authenticator: Buffer };
  attributes: RadiusAttribute[];
  secret: Buffer | string;
  messageAuthenticator?: boolean;
}): Buffer {
  const withMa = o.messageAuthenticator !== false;
  const packet = encodePacket({
    code: o.code,
    identifier: o.request.identifier,
    authenticator: responseMaAuth(o.code, o.request),
    attributes: withMa ? [{ type: MESSAGE_AUTHENTICATOR, value: ZERO16 }, ...o.attributes] : o.attributes,
  });
  if (withMa) hmacInto(packet, o.secret);
  o.request.authenticator.copy(packet, 4);
  md5(packet, Buffer.from(o.secret)).copy(packet, 4);
  return packet;
}

/** Fill the (zeroed) M-A of a freshly encoded packet, hashing it as it stands. */
function hmacInto(packet: Buffer, secret: Buffer | string): void {
  const off = messageAuthenticatorOffset(packet);
  createHmac('md5', Buffer.from(secret)).update(packet).digest().copy(packet, off);
}

export type ResponseCheck =
  | { ok: true; messageAuthenticator: 'absent' | 'valid' }
  | { ok: false; reason: 'bad_authenticator' | 'bad_message_authenticator' };

/**
 * Verify a response to a request we sent (Response Authenticator, and the M-A when present).
 */
export function verifyResponse(
  resp: RadiusPacket,
  requestAuthenticator: Buffer,
  secret: Buffer | string,
): ResponseCheck {
  const copy = Buffer.from(resp.raw);
  requestAuthenticator.copy(copy, 4);
  if (!safeEqual(md5(copy, Buffer.from(secret)), resp.authenticator))
    return { ok: false, reason: 'bad_authenticator' };
  // ACK/NAK: FreeRADIUS signs with zeros, radclient checks with RA. Accounting-Response: zeros,
  // except in answer to Status-Server (RA). Either is accepted for those codes.
  const either =
    (resp.code >= RadiusCode.DisconnectAck && resp.code <= RadiusCode.CoaNak) ||
    resp.code === RadiusCode.AccountingResponse;
  const auths = either ? [ZERO16, requestAuthenticator] : [requestAuthenticator];
  const ma = checkMessageAuthenticator(resp.raw, secret, auths);
  return ma === 'invalid'
    ? { ok: false, reason: 'bad_message_authenticator' }
    : { ok: true, messageAuthenticator: ma };
}

/** True if the Message-Authenticator is the first attribute (what BlastRADIUS-hardened clients want). */
export function messageAuthenticatorFirst(raw: Buffer): boolean {
  return raw.length >= HEADER_LENGTH + 18 && raw[HEADER_LENGTH] === MESSAGE_AUTHENTICATOR;
}
