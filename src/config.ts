/**
 * The only reader of process.env (DESIGN.md §5). Everything else receives a typed Config.
 * Production refuses to start without real secrets and names every missing one; demo mode
 * generates SECRET_KEY and MPESA_CALLBACK_SECRET once into the data dir so restarts keep them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseEndpoint, parseSubnet, type Subnet } from './lib/ipv4.ts';
import { parseSecretKey } from './lib/seal.ts';
import { forbiddenUrlWord } from './protocols/daraja/url-rules.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Configuration problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const port = (def: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, 'must be between 0 and 65535')
    .default(def);

const optional = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const envSchema = z.object({
  WAVU_MODE: z.enum(['demo', 'production']).default('demo'),
  DATABASE_URL: optional.refine(
    (s) => s === undefined || /^postgres(ql)?:\/\//.test(s),
    'must start with postgres:// (leave unset for the embedded database)',
  ),
  DATABASE_POOL_SIZE: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,2}$/, 'must be a whole number from 1 to 999')
    .transform(Number)
    .default(10),
  WAVU_DATA_DIR: z.string().trim().min(1).default('./data'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: port(3000),
  PUBLIC_URL: optional.refine(
    (s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s),
    'must be an http(s) URL',
  ),
  SECRET_KEY: optional.refine(
    (s) => s === undefined || parseSecretKey(s) !== null,
    'must be 32 bytes as 64 hex characters or base64 (generate one: openssl rand -hex 32)',
  ),
  MPESA_BASE_URL: optional.refine((s) => s === undefined || /^https?:\/\//.test(s), 'must be an http(s) URL'),
  MPESA_CONSUMER_KEY: optional,
  MPESA_CONSUMER_SECRET: optional,
  MPESA_SHORTCODE: optional.refine((s) => s === undefined || /^\d{5,7}$/.test(s), 'must be 5 to 7 digits'),
  MPESA_PASSKEY: optional,
  MPESA_TYPE: z.enum(['paybill', 'till']).optional(),
  MPESA_ENVIRONMENT: z.enum(['sandbox', 'production']).optional(),
  MPESA_INITIATOR_NAME: optional,
  MPESA_INITIATOR_PASSWORD: optional,
  MPESA_TILL: optional.refine((s) => s === undefined || /^\d{5,8}$/.test(s), 'must be digits'),
  MPESA_CALLBACK_SECRET: optional.refine(
    (s) => s === undefined || /^[A-Za-z0-9_-]{16,}$/.test(s),
    'must be at least 16 letters, digits, - or _',
  ),
  MPESA_QUERY_AT: z
    .string()
    .trim()
    .regex(/^\d+(\s*,\s*\d+)*$/, 'must be whole seconds separated by commas, like 20,45,70,95')
    .transform((s) => s.split(',').map((x) => Number(x) * 1000))
    .refine((a) => a[0]! > 0 && a.every((x, i) => i === 0 || x > a[i - 1]!), 'must be increasing and above 0')
    .default([20_000, 45_000, 70_000, 95_000]),
  MPESA_EXPIRE_AFTER: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be whole seconds')
    .transform((s) => Number(s) * 1000)
    .default(110_000),
  ADMIN_USERNAME: optional,
  ADMIN_PASSWORD: optional,
  RADIUS_AUTH_PORT: port(1812),
  RADIUS_ACCT_PORT: port(1813),
  RADIUS_COA_MAX_FAILURES: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,2}$/, 'must be a whole number from 1 to 999')
    .transform(Number)
    .default(3),
  SMS_PROVIDER: z.enum(['sim', 'africastalking', 'none']).optional(),
  AT_USERNAME: optional,
  AT_API_KEY: optional,
  AT_SENDER_ID: optional,
  AT_BASE_URL: optional,
  TRUST_PROXY: optional,
  METRICS_PORT: optional.refine(
    (s) => s === undefined || (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 65535),
    'must be a port between 1 and 65535',
  ),
  METRICS_TOKEN: optional.refine(
    (s) => s === undefined || s.length >= 16,
    'must be at least 16 characters (it is the only lock on /metrics)',
  ),
  HTTP_REQUEST_TIMEOUT_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .refine((n) => n >= 100 && n <= 600_000, 'must be between 100 and 600000')
    .default(30_000),
  SESSION_POLL_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be whole seconds')
    .transform(Number)
    .refine((n) => n >= 5 && n <= 3600, 'must be between 5 and 3600')
    .default(30),
  WIREGUARD_SUBNET: z
    .string()
    .trim()
    .transform((s, ctx) => {
      const p = parseSubnet(s);
      if (p) return p;
      ctx.addIssue({
        code: 'custom',
        message: 'must be an IPv4 network with a prefix of /8 to /30, like 10.250.0.0/24',
      });
      return z.NEVER;
    })
    .default(parseSubnet('10.250.0.0/24')!),
  WIREGUARD_LISTEN_PORT: port(51820).refine((n) => n > 0, 'must be between 1 and 65535'),
  WIREGUARD_ENDPOINT: optional.refine(
    (s) => s === undefined || parseEndpoint(s) !== null,
    'must be host:port, like vpn.example.com:51820 or [2001:db8::1]:51820',
  ),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type MpesaSettingField =
  | 'environment'
  | 'shortcode'
  | 'type'
  | 'till'
  | 'consumerKey'
  | 'consumerSecret'
  | 'passkey'
  | 'initiatorName'
  | 'initiatorPassword';

/** Only the keys whose value is set, so "set by the environment" means exactly that. */
function present<K extends string>(o: Record<K, string | undefined>): Partial<Record<K, string>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<
    Record<K, string>
  >;
}

export interface Config {
  mode: 'demo' | 'production';
  demo: boolean;
  databaseUrl: string | undefined;
  /** PostgreSQL connections per process (each of `serve`, `worker`, `radius`); PGlite has one. */
  databasePoolSize: number;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  secretKey: Buffer;
  mpesa: {
    baseUrl: string;
    /** MPESA_BASE_URL was given (or demo's simulator): the environment setting does not move it. */
    baseUrlFixed: boolean;
    consumerKey: string;
    consumerSecret: string;
    shortcode: string;
    passkey: string;
    type: 'paybill' | 'till';
    till: string | undefined;
    callbackSecret: string;
    /**
     * The M-Pesa fields set by environment variables (they win over the dashboard and are shown
     * there read-only), and the defaults used when neither says (src/settings/effective.ts).
     */
    env: Partial<Record<MpesaSettingField, string>>;
    defaults: Partial<Record<MpesaSettingField, string>>;
    /** When a pending push is asked about (STK Query), in ms after the push. */
    queryAtMs: number[];
    /** A push still without a final answer this long after it is expired. */
    expireAfterMs: number;
  };
  admin: { username: string | undefined; password: string | undefined };
  radius: { authPort: number; acctPort: number; coaMaxFailures: number };
  sms: {
    provider: 'sim' | 'africastalking' | 'none';
    atUsername: string | undefined;
    atApiKey: string | undefined;
    atSenderId: string | undefined;
    atBaseUrl: string;
    env: Partial<Record<'provider' | 'username' | 'senderId' | 'apiKey', string>>;
    defaults: Partial<Record<'provider' | 'username' | 'senderId' | 'apiKey', string>>;
  };
  /** Which peers may set X-Forwarded-For: false (none), true (any), or a list of addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** A request (headers and body) must arrive within this long, or the connection is closed. */
  requestTimeoutMs: number;
  /** Bearer token for GET /metrics; unset = answered to loopback peers only. */
  metricsToken: string | undefined;
  /** A port of its own for /metrics in processes without the HTTP role (`wavu worker`, `wavu radius`). */
  metricsPort: number | undefined;
  /** How often api-mode routers are asked for their live sessions. */
  sessionPollSeconds: number;
  logLevel: string;
  /** `pretty` (one readable line per record) or `json`; unset: pretty on a demo terminal, else JSON. */
  logFormat: 'pretty' | 'json' | undefined;
  /** Tunnels to routers Wavu cannot dial directly (`--tunnel wireguard`). */
  wireguard: {
    /** The pool: the server is its first address, routers get the next free ones. */
    subnet: Subnet;
    /** UDP port of the server end (ListenPort in its wg-quick file). */
    listenPort: number;
    /** Where routers find the server: WIREGUARD_ENDPOINT, or PUBLIC_URL's host at listenPort. */
    endpoint: { host: string; port: number };
  };
}

/** Sandbox test credentials Safaricom publishes for shortcode 174379; used only against the simulator. */
const DEMO_MPESA = {
  consumerKey: 'demo-consumer-key',
  consumerSecret: 'demo-consumer-secret',
  shortcode: '174379',
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
};

/** The simulator's test initiator (Transaction Status); the sandbox portal shows its own. */
const DEMO_INITIATOR = { initiatorName: 'testapi', initiatorPassword: 'Demo-initiator-1!' };

const MPESA_SANDBOX = 'https://sandbox.safaricom.co.ke';

interface DemoSecrets {
  SECRET_KEY: string;
  MPESA_CALLBACK_SECRET: string;
}

/** A random path secret without the words Daraja refuses in callback URLs ("exe", "sql", …). */
function callbackSecret(): string {
  for (;;) {
    const s = randomBytes(18).toString('base64url');
    if (!forbiddenUrlWord(s)) return s;
  }
}

function demoSecrets(dataDir: string): DemoSecrets {
  const file = resolve(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoSecrets>;
    if (s.SECRET_KEY && s.MPESA_CALLBACK_SECRET) return s as DemoSecrets;
  }
  mkdirSync(dataDir, { recursive: true });
  const s: DemoSecrets = {
    SECRET_KEY: randomBytes(32).toString('hex'),
    MPESA_CALLBACK_SECRET: callbackSecret(),
  };
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        return `${name}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  const demo = e.WAVU_MODE === 'demo';
  const dataDir = resolve(e.WAVU_DATA_DIR);
  const problems: string[] = [];

  const smsProvider = e.SMS_PROVIDER ?? (demo ? 'sim' : 'none');
  if (!demo) {
    // The M-Pesa account itself may come from the dashboard instead (src/settings).
    const required = ['SECRET_KEY', 'PUBLIC_URL', 'MPESA_CALLBACK_SECRET'] as const;
    for (const name of required) if (!e[name]) problems.push(`${name} is required when WAVU_MODE=production`);
    if (e.MPESA_TYPE === 'till' && !e.MPESA_TILL)
      problems.push('MPESA_TILL is required when MPESA_TYPE=till');
    if (smsProvider === 'sim')
      problems.push('SMS_PROVIDER=sim is a simulator and is not allowed in production');
    if (e.ADMIN_PASSWORD && e.ADMIN_PASSWORD.length < 10)
      problems.push('ADMIN_PASSWORD must be at least 10 characters');
  }
  if (smsProvider === 'africastalking') {
    if (!e.AT_USERNAME) problems.push('AT_USERNAME is required when SMS_PROVIDER=africastalking');
    if (!e.AT_API_KEY) problems.push('AT_API_KEY is required when SMS_PROVIDER=africastalking');
  }
  if (e.MPESA_EXPIRE_AFTER <= e.MPESA_QUERY_AT.at(-1)!)
    problems.push('MPESA_EXPIRE_AFTER must be later than the last MPESA_QUERY_AT time');
  if (e.ADMIN_USERNAME && !e.ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD is required when ADMIN_USERNAME is set');
  if (problems.length) throw new ConfigError(problems);

  const gen = demo && (!e.SECRET_KEY || !e.MPESA_CALLBACK_SECRET) ? demoSecrets(dataDir) : undefined;
  const secretKey = parseSecretKey(e.SECRET_KEY ?? gen!.SECRET_KEY)!;
  const localUrl = `http://127.0.0.1:${e.PORT}`;

  return {
    mode: e.WAVU_MODE,
    demo,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    secretKey,
    mpesa: {
      // In demo the Daraja simulator is mounted on our own server.
      baseUrl: (e.MPESA_BASE_URL ?? (demo ? `${localUrl}/sim/daraja` : MPESA_SANDBOX)).replace(/\/+$/, ''),
      baseUrlFixed: demo || e.MPESA_BASE_URL !== undefined,
      consumerKey: e.MPESA_CONSUMER_KEY ?? DEMO_MPESA.consumerKey,
      consumerSecret: e.MPESA_CONSUMER_SECRET ?? DEMO_MPESA.consumerSecret,
      shortcode: e.MPESA_SHORTCODE ?? DEMO_MPESA.shortcode,
      passkey: e.MPESA_PASSKEY ?? DEMO_MPESA.passkey,
      type: e.MPESA_TYPE ?? 'paybill',
      till: e.MPESA_TILL,
      env: present({
        environment: e.MPESA_ENVIRONMENT,
        shortcode: e.MPESA_SHORTCODE,
        type: e.MPESA_TYPE,
        till: e.MPESA_TILL,
        consumerKey: e.MPESA_CONSUMER_KEY,
        consumerSecret: e.MPESA_CONSUMER_SECRET,
        passkey: e.MPESA_PASSKEY,
        initiatorName: e.MPESA_INITIATOR_NAME,
        initiatorPassword: e.MPESA_INITIATOR_PASSWORD,
      }),
      // Production has no default account: unset, a push says M-Pesa is not set up.
      defaults: demo
        ? { ...DEMO_MPESA, type: 'paybill', environment: 'sandbox', ...DEMO_INITIATOR }
        : { type: 'paybill', environment: 'sandbox' },
      callbackSecret: e.MPESA_CALLBACK_SECRET ?? gen!.MPESA_CALLBACK_SECRET,
      queryAtMs: e.MPESA_QUERY_AT,
      expireAfterMs: e.MPESA_EXPIRE_AFTER,
    },
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    radius: {
      authPort: e.RADIUS_AUTH_PORT,
      acctPort: e.RADIUS_ACCT_PORT,
      coaMaxFailures: e.RADIUS_COA_MAX_FAILURES,
    },
    sms: {
      provider: smsProvider,
      atUsername: e.AT_USERNAME,
      atApiKey: e.AT_API_KEY,
      atSenderId: e.AT_SENDER_ID,
      atBaseUrl: (e.AT_BASE_URL ?? 'https://api.africastalking.com').replace(/\/+$/, ''),
      env: present({
        provider: e.SMS_PROVIDER,
        username: e.AT_USERNAME,
        senderId: e.AT_SENDER_ID,
        apiKey: e.AT_API_KEY,
      }),
      defaults: { provider: smsProvider },
    },
    trustProxy:
      e.TRUST_PROXY === undefined || e.TRUST_PROXY === 'false'
        ? false
        : e.TRUST_PROXY === 'true'
          ? true
          : e.TRUST_PROXY.split(',').map((s) => s.trim()),
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT === undefined ? undefined : Number(e.METRICS_PORT),
    sessionPollSeconds: e.SESSION_POLL_SECONDS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    wireguard: {
      subnet: e.WIREGUARD_SUBNET,
      listenPort: e.WIREGUARD_LISTEN_PORT,
      endpoint: e.WIREGUARD_ENDPOINT
        ? parseEndpoint(e.WIREGUARD_ENDPOINT)!
        : {
            host: new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).hostname.replace(/^\[|\]$/g, ''),
            port: e.WIREGUARD_LISTEN_PORT,
          },
    },
  };
}
