/** Validation of router input (CLI and admin API share it), with messages a newcomer can act on. */
import net from 'node:net';
import { z } from 'zod';
import { RADIUS_PROFILES } from './radius-profile.ts';
import { parseAllowFrom } from './allow-from.ts';

export const ROUTER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const FINGERPRINT_RE = /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/;

const name = z
  .string()
  .regex(ROUTER_NAME_RE, 'use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit');
const port = z.coerce.number().int().min(1, 'must be 1–65535').max(65535, 'must be 1–65535');
const host = z
  .string({
    error: (i) =>
      i.input === undefined ? "is required: the router's address, e.g. 192.168.88.1" : 'must be text',
  })
  .trim()
  .min(1, 'is required (the router address, e.g. 192.168.88.1)')
  .refine(
    (h) => /^(https?:\/\/)?[A-Za-z0-9.:[\]-]+(:\d+)?\/?$/.test(h),
    'must be an IP address or host name',
  );
const fingerprint = z
  .string()
  .regex(FINGERPRINT_RE, 'must be a SHA-256 fingerprint (64 hex digits, colons allowed)')
  .transform((s) => s.replace(/:/g, '').toUpperCase().match(/../g)!.join(':'));
const ip = z
  .string({
    error: (i) =>
      i.input === undefined ? 'is required: the IP address the router sends RADIUS from' : 'must be text',
  })
  .refine((s) => net.isIP(s) !== 0, 'must be the IP address the router sends RADIUS from');

/** Other addresses/networks a radius router may send from, or "any"; "" or "none" clears it. */
const allowFrom = z
  .string()
  .max(1000)
  .nullable()
  .transform((s, ctx) => {
    const r = parseAllowFrom(s ?? '');
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: `${r.error}; give addresses or networks, or "any"` });
    return z.NEVER;
  });

/**
 * Message-Authenticator in Access-Requests (BlastRADIUS): required by default; "allow-without" is
 * for gateways that cannot send it (pppd's radius plugin, RouterOS before 7.15), logged and shown.
 */
const messageAuth = z.enum(['required', 'allow-without'], { message: 'must be required or allow-without' });

/** Whose attributes a radius router's Access-Accepts carry (routers/radius-profile.ts; what each is sent: radius/profiles.ts). */
const profile = z.enum(RADIUS_PROFILES, { message: 'must be mikrotik, pfsense or opnsense' });

/** OPNsense's web address, where its API answers (e.g. https://192.168.1.1). */
const opnsenseUrl = z
  .string()
  .max(300)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && (u.pathname === '/' || u.pathname === '');
    } catch {
      return false;
    }
  }, "must be OPNsense's web address, e.g. https://192.168.1.1 (no path)");
const opnsenseKey = z
  .string()
  .regex(/^[A-Za-z0-9+/=]{16,200}$/, 'must be the key from the API key file OPNsense gave');
const opnsenseSecret = z
  .string()
  .regex(/^[A-Za-z0-9+/=]{16,200}$/, 'must be the secret from the API key file OPNsense gave');
const zoneId = z.coerce
  .number()
  .int()
  .min(0, 'must be the zone number (0, 1, …)')
  .max(255, 'must be the zone number (0, 1, …)');

/** The OPNsense API fields come together, and only for the OPNsense profile. */
function checkOpnsenseApi(
  v: {
    profile?: string | undefined;
    opnsenseUrl?: string | null | undefined;
    opnsenseApiKey?: string | undefined;
    opnsenseApiSecret?: string | undefined;
  },
  issues: { code: 'custom'; path: string[]; input: unknown; message: string }[],
  adding: boolean,
): void {
  const given = (['opnsenseUrl', 'opnsenseApiKey', 'opnsenseApiSecret'] as const).filter((k) => v[k] != null);
  if (!given.length) return;
  if (v.profile !== undefined && v.profile !== 'opnsense') {
    issues.push({
      code: 'custom',
      path: [given[0]!],
      input: v[given[0]!],
      message: 'is only for profile opnsense',
    });
    return;
  }
  if (!adding) return;
  for (const k of ['opnsenseUrl', 'opnsenseApiKey', 'opnsenseApiSecret'] as const)
    if (v[k] == null)
      issues.push({
        code: 'custom',
        path: [k],
        input: undefined,
        message: 'is required with the other OPNsense API fields (URL, key and secret come together)',
      });
}

export const TRANSPORTS = ['api', 'api-tls', 'rest', 'agent'] as const;
const transport = z.enum(TRANSPORTS, { message: 'must be api, api-tls, rest or agent' });

/**
 * Encrypted by default: the plain API (8728) sends the router's password in the clear, so a new
 * router gets API-TLS — unless it is reached through a WireGuard tunnel, which already encrypts
 * everything, where the plain API inside it is simpler (no certificate to make or pin).
 */
export const defaultTransport = (i: { tunnel?: 'wireguard' | undefined }): (typeof TRANSPORTS)[number] =>
  i.tunnel ? 'api' : 'api-tls';

export const apiRouterInput = z
  .object({
    mode: z.literal('api'),
    name,
    site: z.string().max(100).optional(),
    /** Where Wavu dials the API; with a tunnel only a label (Wavu dials the tunnel address); not for `agent`. */
    host: host.optional(),
    /** 'wireguard': Wavu makes the keys and a tunnel address, and dials the API through the tunnel. */
    tunnel: z.enum(['wireguard'], { message: 'must be wireguard (or left out)' }).optional(),
    port: port.optional(),
    /** Left out: `defaultTransport` (encrypted, one way or the other). */
    transport: transport.optional(),
    username: z.string().min(1).max(64).default('wavu'),
    /** Absent: Wavu generates a strong one and the setup script creates the user with it. */
    password: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
    hotspotServer: z.string().max(64).optional(),
    tlsFingerprint: fingerprint.optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.transport !== 'agent' && v.host === undefined && v.tunnel === undefined) {
      ctx.issues.push({
        code: 'custom',
        path: ['host'],
        input: v.host,
        message:
          "is required: the router's address, e.g. 192.168.88.1 (or a WireGuard tunnel, or --transport agent for a router Wavu cannot reach)",
      });
    }
    if (v.transport === 'agent' && (v.host !== undefined || v.port !== undefined || v.tunnel !== undefined)) {
      ctx.issues.push({
        code: 'custom',
        path: ['host'],
        input: v.host,
        message: 'is not used with transport agent: the router polls Wavu, Wavu never dials it',
      });
    }
  });

export const radiusRouterInput = z
  .object({
    mode: z.literal('radius'),
    /** Whose gateway: mikrotik (default), pfsense or opnsense. */
    profile: profile.optional(),
    /** OPNsense only, all three or none: Wavu ends sessions through its captive-portal API. */
    opnsenseUrl: opnsenseUrl.optional(),
    opnsenseApiKey: opnsenseKey.optional(),
    opnsenseApiSecret: opnsenseSecret.optional(),
    /** The captive-portal zone's number (Services → Captive Portal → Zones); default 0. */
    opnsenseZone: zoneId.optional(),
    name,
    site: z.string().max(100).optional(),
    address: ip,
    /** Absent: generated (and shown once). */
    secret: z
      .string()
      .min(16, 'must be at least 16 characters (leave it out to have one generated)')
      .max(128)
      .optional(),
    nasIdentifier: z.string().min(1).max(64).optional(),
    coaPort: port.optional(),
    /** Absent: only `address`. */
    allowFrom: allowFrom.optional(),
    messageAuth: messageAuth.optional(),
    /** Said rather than silently dropped: a RADIUS router is not dialled, so there is nothing to tunnel. */
    tunnel: z
      .never({ error: () => 'is only for mode api (Wavu dials the router through the tunnel)' })
      .optional(),
  })
  .check((ctx) => {
    checkOpnsenseApi({ ...ctx.value, profile: ctx.value.profile ?? 'mikrotik' }, ctx.issues as never, true);
    if (ctx.value.opnsenseZone !== undefined && ctx.value.profile !== 'opnsense')
      ctx.issues.push({
        code: 'custom',
        path: ['opnsenseZone'],
        input: ctx.value.opnsenseZone,
        message: 'is only for profile opnsense',
      });
  });

/** openNDS (OpenWrt, Debian): Wavu is its FAS; the router pulls authorisations and deauths. */
export const openndsRouterInput = z.object({
  mode: z.literal('opennds'),
  name,
  site: z.string().max(100).optional(),
  /** 3 (default): HTTPS FAS and authmon, works behind NAT; 1: hashed token, LAN-only sites. */
  level: z.coerce
    .number()
    .refine((n) => n === 1 || n === 3, 'must be 3 (HTTPS FAS with authmon, the default) or 1 (LAN only)')
    .default(3),
  /** Absent: generated (the setup script carries it). */
  faskey: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{16,64}$/,
      'must be 16–64 letters, digits, "_" or "-" (leave it out to have one generated)',
    )
    .optional(),
  tunnel: z
    .never({ error: () => 'is only for mode api (Wavu dials the router through the tunnel)' })
    .optional(),
});

/** UniFi Network: Wavu is the site's external portal and authorises guests on the controller. */
export const unifiRouterInput = z
  .object({
    mode: z.literal('unifi'),
    name,
    site: z.string().max(100).optional(),
    /** The controller or console, e.g. https://192.168.1.1 or https://unifi.example.com:8443. */
    controller: z
      .string({
        error: (i) =>
          i.input === undefined
            ? 'is required: the controller address, e.g. https://192.168.1.1'
            : 'must be text',
      })
      .max(300)
      .refine((s) => {
        try {
          const u = new URL(s);
          return (
            (u.protocol === 'https:' || u.protocol === 'http:') && (u.pathname === '/' || u.pathname === '')
          );
        } catch {
          return false;
        }
      }, 'must be the controller address, e.g. https://192.168.1.1 (no path)'),
    /** The site's short name as in /guest/s/<site>/. */
    unifiSite: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the short site name from /guest/s/<site>/, e.g. default')
      .default('default'),
    /** Absent: the Integration API when an API key is given, else the legacy API (classic). */
    api: z
      .enum(['integration', 'unifi-os', 'classic'], { message: 'must be integration, unifi-os or classic' })
      .optional(),
    apiKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,200}$/, 'must be the API key from Control Plane → Integrations')
      .optional(),
    username: z.string().min(1).max(64).optional(),
    password: z.string().min(1).max(128).optional(),
    tlsFingerprint: fingerprint.optional(),
    tunnel: z
      .never({ error: () => 'is only for mode api (Wavu dials the router through the tunnel)' })
      .optional(),
  })
  .transform((v, ctx) => {
    const api = v.api ?? (v.apiKey ? 'integration' : 'classic');
    if (api === 'integration' && !v.apiKey)
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'is required for the Integration API' });
    if (api !== 'integration' && (!v.username || !v.password))
      ctx.addIssue({
        code: 'custom',
        path: [v.username ? 'password' : 'username'],
        message: `is required for the ${api} API (a local controller account), or give an API key`,
      });
    return { ...v, api };
  });

export const addRouterInput = z.discriminatedUnion(
  'mode',
  [apiRouterInput, radiusRouterInput, openndsRouterInput, unifiRouterInput],
  { error: () => 'mode must be "api", "radius", "opennds" or "unifi"' },
);
export type AddRouterInput = z.input<typeof addRouterInput>;

export const updateRouterInput = z
  .object({
    name,
    site: z.string().max(100).nullable(),
    host,
    port: port.nullable(),
    transport,
    username: z.string().min(1).max(64),
    password: z.string().min(8).max(128),
    hotspotServer: z.string().max(64).nullable(),
    tlsFingerprint: fingerprint.nullable(),
    address: ip,
    secret: z.string().min(16).max(128),
    nasIdentifier: z.string().min(1).max(64),
    coaPort: port,
    allowFrom,
    messageAuth,
    profile,
    /** null clears the OPNsense API (sessions then end at their Session-Timeout). */
    opnsenseUrl: opnsenseUrl.nullable(),
    opnsenseApiKey: opnsenseKey,
    opnsenseApiSecret: opnsenseSecret,
    opnsenseZone: zoneId,
    enabled: z.boolean(),
  })
  .partial()
  .check((ctx) => checkOpnsenseApi(ctx.value, ctx.issues as never, false));
export type UpdateRouterInput = z.input<typeof updateRouterInput>;
