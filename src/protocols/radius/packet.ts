/**
 * RADIUS packet layout (RFC 2865 §3, §5): header, TLV attributes, vendor-specific attributes.
 * Pure wire code: no secrets here (see auth.ts) and no business rules. Decoding never trusts a
 * length field: every failure is a RadiusDecodeError with a reason, never a crash or a loop.
 */
import { attrByCode, attrByName, VENDOR_SPECIFIC } from './dictionary.ts';

export const RadiusCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;
export type RadiusCodeValue = (typeof RadiusCode)[keyof typeof RadiusCode];

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const MESSAGE_AUTHENTICATOR = 80;

export type DecodeFailure =
  | 'too_short'
  | 'bad_length'
  | 'truncated'
  | 'bad_attribute_type'
  | 'bad_attribute_length'
  | 'bad_message_authenticator_length'
  | 'bad_password_length';

/** The only error the decoder throws: a packet we cannot parse, to be dropped and counted. */
export class RadiusDecodeError extends Error {
  override name = 'RadiusDecodeError';
  constructor(
    readonly reason: DecodeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** One attribute. Vendor attributes carry the vendor id and the vendor's own type number. */
export interface RadiusAttribute {
  type: number;
  vendorId?: number;
  vendorType?: number;
  value: Buffer;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RadiusAttribute[];
  /** Exactly `Length` octets of the datagram (padding beyond Length dropped), for signatures. */
  raw: Buffer;
}

export function decodePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < HEADER_LENGTH)
    throw new RadiusDecodeError('too_short', `packet of ${datagram.length} octets is shorter than a header`);
  const length = datagram.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH)
    throw new RadiusDecodeError('bad_length', `Length field ${length} is outside 20..4096`);
  // RFC 2865 §3: shorter than Length ⇒ discard; octets beyond Length are padding.
  if (datagram.length < length)
    throw new RadiusDecodeError('truncated', `Length says ${length} octets but ${datagram.length} arrived`);
  const raw = Buffer.from(datagram.subarray(0, length));
  const attributes: RadiusAttribute[] = [];
  let off = HEADER_LENGTH;
  while (off < length) {
    if (length - off < 2)
      throw new RadiusDecodeError('bad_attribute_length', `attribute header cut short at octet ${off}`);
    const type = raw[off]!;
    const len = raw[off + 1]!;
    if (type === 0) throw new RadiusDecodeError('bad_attribute_type', `attribute type 0 at octet ${off}`);
    if (len < 2 || off + len > length)
      throw new RadiusDecodeError(
        'bad_attribute_length',
        `attribute ${type} has length ${len} at octet ${off}`,
      );
    const value = raw.subarray(off + 2, off + len);
    if (type === MESSAGE_AUTHENTICATOR && len !== 18)
      throw new RadiusDecodeError(
        'bad_message_authenticator_length',
        `Message-Authenticator of length ${len}`,
      );
    if (type === VENDOR_SPECIFIC) attributes.push(...splitVendorSpecific(value));
    else attributes.push({ type, value });
    off += len;
  }
  return {
    code: raw[0]!,
    identifier: raw[1]!,
    authenticator: raw.subarray(4, 20),
    attributes,
    raw,
  };
}

/**
 * RFC 2865 §5.26 suggests vendor-type/vendor-length sub-attributes; most vendors follow it and may
 * pack several in one Vendor-Specific. A value that does not parse that way is kept whole.
 */
function splitVendorSpecific(value: Buffer): RadiusAttribute[] {
  if (value.length < 4) return [{ type: VENDOR_SPECIFIC, value }];
  const vendorId = value.readUInt32BE(0);
  const out: RadiusAttribute[] = [];
  let off = 4;
  while (off < value.length) {
    const vt = value[off]!;
    const vl = value[off + 1];
    if (vl === undefined || vl < 2 || off + vl > value.length) return [{ type: VENDOR_SPECIFIC, value }];
    out.push({ type: VENDOR_SPECIFIC, vendorId, vendorType: vt, value: value.subarray(off + 2, off + vl) });
    off += vl;
  }
  return out.length ? out : [{ type: VENDOR_SPECIFIC, value }];
}

export function encodeAttribute(a: RadiusAttribute): Buffer {
  if (a.vendorId !== undefined) {
    if (a.value.length > 249) throw new RangeError(`vendor attribute ${a.vendorType} value too long`);
    const b = Buffer.alloc(8 + a.value.length);
    b[0] = VENDOR_SPECIFIC;
    b[1] = b.length;
    b.writeUInt32BE(a.vendorId, 2);
    b[6] = a.vendorType ?? 0;
    b[7] = a.value.length + 2;
    a.value.copy(b, 8);
    return b;
  }
  if (a.value.length > 253) throw new RangeError(`attribute ${a.type} value too long`);
  const b = Buffer.alloc(2 + a.value.length);
  b[0] = a.type;
  b[1] = b.length;
  a.value.copy(b, 2);
  return b;
}

/** Header + attributes with the given authenticator; signing is auth.ts's job. */
export function encodePacket(p: {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RadiusAttribute[];
}): Buffer {
  const body = Buffer.concat(p.attributes.map(encodeAttribute));
  const length = HEADER_LENGTH + body.length;
  if (length > MAX_PACKET_LENGTH) throw new RangeError(`packet of ${length} octets exceeds 4096`);
  const head = Buffer.alloc(HEADER_LENGTH);
  head[0] = p.code;
  head[1] = p.identifier & 0xff;
  head.writeUInt16BE(length, 2);
  p.authenticator.copy(head, 4, 0, 16);
  return Buffer.concat([head, body]);
}

// ---- typed values through the dictionary ---------------------------------------------------

export type AttrValue = string | number | Buffer;

/** Build an attribute by dictionary name: `attr('Session-Timeout', 3600)`. */
export function attr(name: string, value: AttrValue): RadiusAttribute {
  const d = attrByName(name);
  let v: Buffer;
  if (Buffer.isBuffer(value)) v = value;
  else if (d.dataType === 'integer' || d.dataType === 'date') {
    const n = typeof value === 'number' ? value : (d.values?.[value] ?? Number.NaN);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new RangeError(`${name}: bad integer ${value}`);
    v = Buffer.alloc(4);
    v.writeUInt32BE(n);
  } else if (d.dataType === 'ipaddr') {
    const parts = String(value).split('.').map(Number);
    if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
      throw new RangeError(`${name}: bad IPv4 address ${value}`);
    v = Buffer.from(parts);
  } else v = Buffer.from(String(value), 'utf8');
  return d.vendorId === undefined
    ? { type: d.type, value: v }
    : { type: VENDOR_SPECIFIC, vendorId: d.vendorId, vendorType: d.type, value: v };
}

function matches(a: RadiusAttribute, name: string): boolean {
  const d = attrByName(name);
  return d.vendorId === undefined
    ? a.type === d.type && a.vendorId === undefined
    : a.vendorId === d.vendorId && a.vendorType === d.type;
}

export function findAttributes(p: { attributes: RadiusAttribute[] }, name: string): RadiusAttribute[] {
  return p.attributes.filter((a) => matches(a, name));
}

export function getRaw(p: { attributes: RadiusAttribute[] }, name: string): Buffer | undefined {
  return p.attributes.find((a) => matches(a, name))?.value;
}

export function getText(p: { attributes: RadiusAttribute[] }, name: string): string | undefined {
  const v = getRaw(p, name);
  return v === undefined ? undefined : v.toString('utf8');
}

/** An integer attribute, or undefined when absent or not 4 octets long. */
export function getInt(p: { attributes: RadiusAttribute[] }, name: string): number | undefined {
  const v = getRaw(p, name);
  return v?.length === 4 ? v.readUInt32BE(0) : undefined;
}

export function getIp(p: { attributes: RadiusAttribute[] }, name: string): string | undefined {
  const v = getRaw(p, name);
  return v?.length === 4 ? [...v].join('.') : undefined;
}

/** A readable form of an attribute for logs and tests (`Name = value`). */
export function describeAttribute(a: RadiusAttribute): { name: string; value: string | number } {
  const d = attrByCode(a.vendorId === undefined ? a.type : (a.vendorType ?? -1), a.vendorId);
  const name =
    d?.name ?? (a.vendorId === undefined ? `Attr-${a.type}` : `Vendor-${a.vendorId}-Attr-${a.vendorType}`);
  if (d?.dataType === 'integer' && a.value.length === 4) return { name, value: a.value.readUInt32BE(0) };
  if (d?.dataType === 'ipaddr' && a.value.length === 4) return { name, value: [...a.value].join('.') };
  if (d?.dataType === 'text') return { name, value: a.value.toString('utf8') };
  return { name, value: `0x${a.value.toString('hex')}` };
}
