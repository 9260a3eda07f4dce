/**
 * RADIUS attribute dictionary: the standard attributes we read or write (RFC 2865, 2866, 2869,
 * 3162, 5176), MikroTik (vendor 14988), Microsoft (vendor 311), WISPr (vendor 14122) and pfSense (vendor 13644, its captive
 * portal's dictionary.pfsense). Numbers match FreeRADIUS's
 * dictionaries; beware public tables that shuffle the MikroTik numbers.
 */
export type AttrType = 'text' | 'octets' | 'integer' | 'ipaddr' | 'date';

export interface AttrDef {
  name: string;
  /** Attribute type (1..255) or, for a vendor attribute, the vendor's type. */
  type: number;
  vendorId?: number;
  dataType: AttrType;
  /** Named integer values (Acct-Status-Type etc.). */
  values?: Record<string, number>;
}

export const VENDOR_MIKROTIK = 14988;
export const VENDOR_WISPR = 14122;
export const VENDOR_PFSENSE = 13644;
/** Microsoft (RFC 2548): MS-CHAP and MPPE keys, as PPP servers send and expect them. */
export const VENDOR_MICROSOFT = 311;
export const VENDOR_SPECIFIC = 26;

const std = (type: number, name: string, dataType: AttrType, values?: Record<string, number>): AttrDef =>
  values ? { name, type, dataType, values } : { name, type, dataType };
const vsa = (vendorId: number, type: number, name: string, dataType: AttrType): AttrDef => ({
  name,
  type,
  vendorId,
  dataType,
});

export const ACCT_STATUS_TYPE = {
  Start: 1,
  Stop: 2,
  'Interim-Update': 3,
  'Accounting-On': 7,
  'Accounting-Off': 8,
} as const;

export const ACCT_TERMINATE_CAUSE: Record<string, number> = {
  'User-Request': 1,
  'Lost-Carrier': 2,
  'Lost-Service': 3,
  'Idle-Timeout': 4,
  'Session-Timeout': 5,
  'Admin-Reset': 6,
  'Admin-Reboot': 7,
  'Port-Error': 8,
  'NAS-Error': 9,
  'NAS-Request': 10,
  'NAS-Reboot': 11,
  'Port-Unneeded': 12,
  'Port-Preempted': 13,
  'Port-Suspended': 14,
  'Service-Unavailable': 15,
  Callback: 16,
  'User-Error': 17,
  'Host-Request': 18,
};

export const ERROR_CAUSE: Record<string, number> = {
  'Residual-Context-Removed': 201,
  'Invalid-EAP-Packet': 202,
  'Unsupported-Attribute': 401,
  'Missing-Attribute': 402,
  'NAS-Identification-Mismatch': 403,
  'Invalid-Request': 404,
  'Unsupported-Service': 405,
  'Unsupported-Extension': 406,
  'Invalid-Attribute-Value': 407,
  'Administratively-Prohibited': 501,
  'Proxy-Request-Not-Routable': 502,
  'Session-Context-Not-Found': 503,
  'Session-Context-Not-Removable': 504,
  'Proxy-Processing-Error': 505,
  'Resources-Unavailable': 506,
  'Request-Initiated': 507,
  'Multiple-Session-Selection-Unsupported': 508,
};

export const DEFINITIONS: AttrDef[] = [
  std(1, 'User-Name', 'text'),
  std(2, 'User-Password', 'octets'),
  std(3, 'CHAP-Password', 'octets'),
  std(4, 'NAS-IP-Address', 'ipaddr'),
  std(5, 'NAS-Port', 'integer'),
  std(6, 'Service-Type', 'integer', { Login: 1, Framed: 2, 'Call-Check': 10, 'Authorize-Only': 17 }),
  std(7, 'Framed-Protocol', 'integer', { PPP: 1 }),
  std(8, 'Framed-IP-Address', 'ipaddr'),
  std(9, 'Framed-IP-Netmask', 'ipaddr'),
  std(11, 'Filter-Id', 'text'),
  std(12, 'Framed-MTU', 'integer'),
  std(18, 'Reply-Message', 'text'),
  std(24, 'State', 'octets'),
  std(25, 'Class', 'octets'),
  std(26, 'Vendor-Specific', 'octets'),
  std(27, 'Session-Timeout', 'integer'),
  std(28, 'Idle-Timeout', 'integer'),
  std(29, 'Termination-Action', 'integer'),
  std(30, 'Called-Station-Id', 'text'),
  std(31, 'Calling-Station-Id', 'text'),
  std(32, 'NAS-Identifier', 'text'),
  std(33, 'Proxy-State', 'octets'),
  std(40, 'Acct-Status-Type', 'integer', ACCT_STATUS_TYPE),
  std(41, 'Acct-Delay-Time', 'integer'),
  std(42, 'Acct-Input-Octets', 'integer'),
  std(43, 'Acct-Output-Octets', 'integer'),
  std(44, 'Acct-Session-Id', 'text'),
  std(45, 'Acct-Authentic', 'integer', { RADIUS: 1, Local: 2, Remote: 3 }),
  std(46, 'Acct-Session-Time', 'integer'),
  std(47, 'Acct-Input-Packets', 'integer'),
  std(48, 'Acct-Output-Packets', 'integer'),
  std(49, 'Acct-Terminate-Cause', 'integer', ACCT_TERMINATE_CAUSE),
  std(50, 'Acct-Multi-Session-Id', 'text'),
  std(51, 'Acct-Link-Count', 'integer'),
  std(52, 'Acct-Input-Gigawords', 'integer'),
  std(53, 'Acct-Output-Gigawords', 'integer'),
  std(55, 'Event-Timestamp', 'date'),
  std(60, 'CHAP-Challenge', 'octets'),
  std(61, 'NAS-Port-Type', 'integer', {
    Async: 0,
    Virtual: 5,
    Ethernet: 15,
    Cable: 17,
    'Wireless-802.11': 19,
  }),
  std(62, 'Port-Limit', 'integer'),
  std(79, 'EAP-Message', 'octets'),
  std(80, 'Message-Authenticator', 'octets'),
  std(85, 'Acct-Interim-Interval', 'integer'),
  std(87, 'NAS-Port-Id', 'text'),
  std(88, 'Framed-Pool', 'text'),
  std(95, 'NAS-IPv6-Address', 'octets'),
  std(101, 'Error-Cause', 'integer', ERROR_CAUSE),

  vsa(VENDOR_MIKROTIK, 1, 'Mikrotik-Recv-Limit', 'integer'),
  vsa(VENDOR_MIKROTIK, 2, 'Mikrotik-Xmit-Limit', 'integer'),
  vsa(VENDOR_MIKROTIK, 3, 'Mikrotik-Group', 'text'),
  vsa(VENDOR_MIKROTIK, 4, 'Mikrotik-Wireless-Forward', 'integer'),
  vsa(VENDOR_MIKROTIK, 5, 'Mikrotik-Wireless-Skip-Dot1x', 'integer'),
  vsa(VENDOR_MIKROTIK, 6, 'Mikrotik-Wireless-Enc-Algo', 'integer'),
  vsa(VENDOR_MIKROTIK, 7, 'Mikrotik-Wireless-Enc-Key', 'text'),
  vsa(VENDOR_MIKROTIK, 8, 'Mikrotik-Rate-Limit', 'text'),
  vsa(VENDOR_MIKROTIK, 9, 'Mikrotik-Realm', 'text'),
  vsa(VENDOR_MIKROTIK, 10, 'Mikrotik-Host-IP', 'ipaddr'),
  vsa(VENDOR_MIKROTIK, 11, 'Mikrotik-Mark-Id', 'text'),
  vsa(VENDOR_MIKROTIK, 12, 'Mikrotik-Advertise-URL', 'text'),
  vsa(VENDOR_MIKROTIK, 13, 'Mikrotik-Advertise-Interval', 'integer'),
  vsa(VENDOR_MIKROTIK, 14, 'Mikrotik-Recv-Limit-Gigawords', 'integer'),
  vsa(VENDOR_MIKROTIK, 15, 'Mikrotik-Xmit-Limit-Gigawords', 'integer'),
  vsa(VENDOR_MIKROTIK, 16, 'Mikrotik-Wireless-PSK', 'text'),
  vsa(VENDOR_MIKROTIK, 17, 'Mikrotik-Total-Limit', 'integer'),
  vsa(VENDOR_MIKROTIK, 18, 'Mikrotik-Total-Limit-Gigawords', 'integer'),
  vsa(VENDOR_MIKROTIK, 19, 'Mikrotik-Address-List', 'text'),
  vsa(VENDOR_MIKROTIK, 20, 'Mikrotik-Wireless-MPKey', 'text'),
  vsa(VENDOR_MIKROTIK, 21, 'Mikrotik-Wireless-Comment', 'text'),
  vsa(VENDOR_MIKROTIK, 22, 'Mikrotik-Delegated-IPv6-Pool', 'text'),
  vsa(VENDOR_MIKROTIK, 23, 'Mikrotik-DHCP-Option-Set', 'text'),
  vsa(VENDOR_MIKROTIK, 24, 'Mikrotik-DHCP-Option-Param-STR1', 'text'),
  vsa(VENDOR_MIKROTIK, 25, 'Mikrotik-DHCP-Option-Param-STR2', 'text'),
  vsa(VENDOR_MIKROTIK, 26, 'Mikrotik-Wireless-VLANID', 'integer'),
  vsa(VENDOR_MIKROTIK, 27, 'Mikrotik-Wireless-VLANIDtype', 'integer'),
  vsa(VENDOR_MIKROTIK, 28, 'Mikrotik-Wireless-Minsignal', 'text'),
  vsa(VENDOR_MIKROTIK, 29, 'Mikrotik-Wireless-Maxsignal', 'text'),
  vsa(VENDOR_MIKROTIK, 30, 'Mikrotik-Switching-Filter', 'text'),

  vsa(VENDOR_WISPR, 1, 'WISPr-Location-ID', 'text'),
  vsa(VENDOR_WISPR, 2, 'WISPr-Location-Name', 'text'),
  vsa(VENDOR_WISPR, 3, 'WISPr-Logoff-URL', 'text'),
  vsa(VENDOR_WISPR, 4, 'WISPr-Redirection-URL', 'text'),
  vsa(VENDOR_WISPR, 5, 'WISPr-Bandwidth-Min-Up', 'integer'),
  vsa(VENDOR_WISPR, 6, 'WISPr-Bandwidth-Min-Down', 'integer'),
  vsa(VENDOR_WISPR, 7, 'WISPr-Bandwidth-Max-Up', 'integer'),
  vsa(VENDOR_WISPR, 8, 'WISPr-Bandwidth-Max-Down', 'integer'),
  vsa(VENDOR_WISPR, 9, 'WISPr-Session-Terminate-Time', 'text'),
  vsa(VENDOR_WISPR, 10, 'WISPr-Session-Terminate-End-Of-Day', 'text'),
  vsa(VENDOR_WISPR, 11, 'WISPr-Billing-Class-Of-Service', 'text'),

  vsa(VENDOR_MICROSOFT, 1, 'MS-CHAP-Response', 'octets'),
  vsa(VENDOR_MICROSOFT, 2, 'MS-CHAP-Error', 'octets'),
  vsa(VENDOR_MICROSOFT, 7, 'MS-MPPE-Encryption-Policy', 'integer'),
  vsa(VENDOR_MICROSOFT, 8, 'MS-MPPE-Encryption-Types', 'integer'),
  vsa(VENDOR_MICROSOFT, 11, 'MS-CHAP-Challenge', 'octets'),
  vsa(VENDOR_MICROSOFT, 16, 'MS-MPPE-Send-Key', 'octets'),
  vsa(VENDOR_MICROSOFT, 17, 'MS-MPPE-Recv-Key', 'octets'),
  vsa(VENDOR_MICROSOFT, 25, 'MS-CHAP2-Response', 'octets'),
  vsa(VENDOR_MICROSOFT, 26, 'MS-CHAP2-Success', 'octets'),

  // Bandwidth in bit/s; the total is bytes in and out together.
  vsa(VENDOR_PFSENSE, 1, 'pfSense-Bandwidth-Max-Up', 'integer'),
  vsa(VENDOR_PFSENSE, 2, 'pfSense-Bandwidth-Max-Down', 'integer'),
  vsa(VENDOR_PFSENSE, 3, 'pfSense-Max-Total-Octets', 'integer'),
];

const byName = new Map<string, AttrDef>(DEFINITIONS.map((d) => [d.name.toLowerCase(), d]));
const byKey = new Map<string, AttrDef>(DEFINITIONS.map((d) => [defKey(d.type, d.vendorId), d]));

function defKey(type: number, vendorId?: number): string {
  return vendorId === undefined ? `${type}` : `${vendorId}:${type}`;
}

/** Look an attribute up by name (case-insensitive); throws on names we do not know. */
export function attrByName(name: string): AttrDef {
  const d = byName.get(name.toLowerCase());
  if (!d) throw new Error(`unknown RADIUS attribute ${name}`);
  return d;
}

export function attrByCode(type: number, vendorId?: number): AttrDef | undefined {
  return byKey.get(defKey(type, vendorId));
}
