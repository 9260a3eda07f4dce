/**
 * Drizzle mirror of the SQL migrations in ./migrations (the migrations are the truth; this file
 * gives typed queries). test/db/schema.test.ts checks that every column here exists in the database.
 */
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const big = (name: string) => bigint(name, { mode: 'number' });

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  sealed: boolean('sealed').notNull().default(false),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** M-Pesa Paybills and Tills (1000_payment_accounts.sql); the default one's credentials are the settings. */
export const paymentAccounts = pgTable('payment_accounts', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  isDefault: boolean('is_default').notNull().default(false),
  type: text('type', { enum: ['paybill', 'till'] }),
  shortcode: text('shortcode'),
  till: text('till'),
  environment: text('environment', { enum: ['sandbox', 'production'] }),
  consumerKey: text('consumer_key'),
  consumerSecretSealed: text('consumer_secret_sealed'),
  passkeySealed: text('passkey_sealed'),
  initiatorName: text('initiator_name'),
  initiatorPasswordSealed: text('initiator_password_sealed'),
  pullShortcode: text('pull_shortcode'),
  testedAt: ts('tested_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const plans = pgTable('plans', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  nameSw: text('name_sw'),
  priceKes: integer('price_kes').notNull(),
  durationSeconds: integer('duration_seconds').notNull(),
  dataCapBytes: big('data_cap_bytes'),
  rateUpKbps: integer('rate_up_kbps'),
  rateDownKbps: integer('rate_down_kbps'),
  /** Migration 1850: the speed after the data cap instead of a cut-off; null cuts off. */
  fairUseRate: text('fair_use_rate'),
  devices: integer('devices').notNull().default(1),
  clock: text('clock', { enum: ['wall', 'uptime'] })
    .notNull()
    .default('wall'),
  startsOn: text('starts_on', { enum: ['first_login', 'payment'] })
    .notNull()
    .default('first_login'),
  /** Text the customer this many minutes before the code runs out (migration 1800); null: never. */
  remindMinutes: integer('remind_minutes'),
  active: boolean('active').notNull().default(true),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const customers = pgTable('customers', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  phone: text('phone').notNull(),
  name: text('name'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const routers = pgTable('routers', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  mode: text('mode', { enum: ['api', 'radius', 'opennds', 'unifi'] }).notNull(),
  site: text('site'),
  host: text('host'),
  apiTransport: text('api_transport', { enum: ['api', 'api-tls', 'rest', 'agent'] })
    .notNull()
    .default('api'),
  apiPort: integer('api_port'),
  username: text('username'),
  passwordSealed: text('password_sealed'),
  hotspotServer: text('hotspot_server'),
  radiusSecretSealed: text('radius_secret_sealed'),
  radiusRequireMessageAuth: boolean('radius_require_message_auth').notNull().default(true),
  nasIdentifier: text('nas_identifier'),
  nasAddress: text('nas_address'),
  /** Where else it may send RADIUS from: 'a,b/24' or 'any'; NULL = only nas_address. */
  radiusAllowFrom: text('radius_allow_from'),
  coaPort: integer('coa_port').notNull().default(3799),
  enabled: boolean('enabled').notNull().default(true),
  status: text('status', { enum: ['unknown', 'up', 'down'] })
    .notNull()
    .default('unknown'),
  lastSeenAt: ts('last_seen_at'),
  lastError: text('last_error'),
  health: jsonb('health'),
  paymentAccountId: integer('payment_account_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  tlsFingerprint: text('tls_fingerprint'),
  reconcilingUntil: ts('reconciling_until'),
  lastReconciledAt: ts('last_reconciled_at'),
  /** Newest router report applied to its sessions (gateways/sessions): older reports are dropped. */
  sessionsSeenAt: ts('sessions_seen_at'),
  /** Failed CoA/Disconnect tries in a row (radius mode); reset by any answer. */
  coaFailures: integer('coa_failures').notNull().default(0),
  /** Set after RADIUS_COA_MAX_FAILURES failures: behind NAT, sessions end by Session-Timeout. */
  coaUnreachableSince: ts('coa_unreachable_since'),
  /** 'wireguard': Wavu dials the API at tunnelAddress over a tunnel it configured; null: at host. */
  tunnel: text('tunnel', { enum: ['wireguard'] }),
  tunnelAddress: text('tunnel_address'),
  wgPrivateKeySealed: text('wg_private_key_sealed'),
  wgPublicKey: text('wg_public_key'),
  agentTokenHash: text('agent_token_hash'),
  agentReport: jsonb('agent_report'),
  agentPolledAt: ts('agent_polled_at'),
  /** openNDS mode: FAS level 3 (authmon pulls) or 1 (hashed token redirect). */
  openndsLevel: smallint('opennds_level'),
  openndsFaskeySealed: text('opennds_faskey_sealed'),
  /** openNDS `gatewayname`, with a random part: its sha256 is how authmon identifies the router. */
  openndsGatewayName: text('opennds_gateway_name'),
  openndsGatewayHash: text('opennds_gateway_hash'),
  openndsPolledAt: ts('opennds_polled_at'),
  /** UniFi mode: the controller, the site's short name, and which of its APIs Wavu uses. */
  unifiUrl: text('unifi_url'),
  unifiSite: text('unifi_site'),
  unifiApi: text('unifi_api', { enum: ['integration', 'unifi-os', 'classic'] }),
  unifiApiKeySealed: text('unifi_api_key_sealed'),
  /** Radius mode: which vendor's attributes the gateway understands (migration 1900). */
  radiusProfile: text('radius_profile', { enum: ['mikrotik', 'pfsense', 'opnsense'] })
    .notNull()
    .default('mikrotik'),
  /** OPNsense profile: its captive-portal API (ends sessions), zone and key; absent: Session-Timeout only. */
  opnsenseUrl: text('opnsense_url'),
  opnsenseZoneId: integer('opnsense_zone_id'),
  opnsenseApiKeySealed: text('opnsense_api_key_sealed'),
  opnsenseApiSecretSealed: text('opnsense_api_secret_sealed'),
});

/** Clients openNDS sent to the portal, and what Wavu wants for them on the gateway. */
export const openndsClients = pgTable('opennds_clients', {
  token: text('token').primaryKey(),
  routerId: integer('router_id').notNull(),
  hid: text('hid').notNull(),
  rhid: text('rhid').notNull(),
  mac: text('mac').notNull(),
  ip: text('ip'),
  gatewayAddress: text('gateway_address'),
  originUrl: text('origin_url'),
  accessCodeId: uuid('access_code_id'),
  state: text('state', { enum: ['seen', 'auth_pending', 'authed', 'deauth_pending', 'deauthed'] })
    .notNull()
    .default('seen'),
  minutes: integer('minutes'),
  upKbps: integer('up_kbps'),
  downKbps: integer('down_kbps'),
  upQuotaKb: big('up_quota_kb'),
  downQuotaKb: big('down_quota_kb'),
  deauthSentAt: ts('deauth_sent_at'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** The WireGuard server end's key pair (one row). */
export const wireguardServer = pgTable('wireguard_server', {
  id: smallint('id').primaryKey().default(1),
  privateKeySealed: text('private_key_sealed').notNull(),
  publicKey: text('public_key').notNull(),
  createdAt: ts('created_at').notNull(),
});

export const AGENT_COMMAND_STATUSES = [
  'pending',
  'sent',
  'done',
  'failed',
  'lost',
  'superseded',
  'expired',
] as const;

export const agentCommands = pgTable('agent_commands', {
  id: big('id').primaryKey().generatedAlwaysAsIdentity(),
  routerId: integer('router_id').notNull(),
  kind: text('kind', { enum: ['grant', 'revoke', 'disconnect'] }).notNull(),
  accessCodeId: uuid('access_code_id'),
  payload: jsonb('payload').notNull().default({}),
  status: text('status', { enum: AGENT_COMMAND_STATUSES }).notNull().default('pending'),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  sentAt: ts('sent_at'),
  finishedAt: ts('finished_at'),
  result: text('result'),
});

export const voucherBatches = pgTable('voucher_batches', {
  id: uuid('id').primaryKey(),
  planId: integer('plan_id').notNull(),
  label: text('label'),
  count: integer('count').notNull(),
  source: text('source', { enum: ['generated', 'imported'] })
    .notNull()
    .default('generated'),
  validUntil: ts('valid_until'),
  createdBy: integer('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  sellOnline: boolean('sell_online').notNull().default(false),
});

export const PURCHASE_STATUSES = ['pending', 'paid', 'failed', 'cancelled', 'expired'] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

export const purchases = pgTable('purchases', {
  id: uuid('id').primaryKey(),
  ref: text('ref').notNull(),
  /** Null only for a subscription payment (migration 2100), which pays a subscriber instead. */
  planId: integer('plan_id'),
  subscriberId: integer('subscriber_id'),
  customerId: integer('customer_id'),
  phone: text('phone'),
  amountKes: integer('amount_kes').notNull(),
  paidAmountKes: integer('paid_amount_kes'),
  channel: text('channel', { enum: ['stk', 'c2b', 'cash'] }).notNull(),
  purpose: text('purpose', { enum: ['access', 'voucher', 'subscription'] })
    .notNull()
    .default('access'),
  status: text('status', { enum: PURCHASE_STATUSES }).notNull().default('pending'),
  resultCode: text('result_code'),
  resultDesc: text('result_desc'),
  merchantRequestId: text('merchant_request_id'),
  checkoutRequestId: text('checkout_request_id'),
  mpesaReceipt: text('mpesa_receipt'),
  mac: text('mac'),
  ip: text('ip'),
  routerId: integer('router_id'),
  paymentAccountId: integer('payment_account_id'),
  accessCodeId: uuid('access_code_id'),
  recipientPhone: text('recipient_phone'),
  lang: text('lang'),
  createdBy: integer('created_by'),
  nextCheckAt: ts('next_check_at'),
  checkAttempts: integer('check_attempts').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  paidAt: ts('paid_at'),
  failedAt: ts('failed_at'),
  cancelledAt: ts('cancelled_at'),
  expiredAt: ts('expired_at'),
});

export const callbackInbox = pgTable('callback_inbox', {
  id: big('id').primaryKey().generatedByDefaultAsIdentity(),
  kind: text('kind', { enum: ['stk', 'c2b_validate', 'c2b_confirm'] }).notNull(),
  receivedAt: ts('received_at').notNull().defaultNow(),
  remoteAddr: text('remote_addr'),
  /** The body as jsonb, or (when jsonb cannot hold it, or it is not JSON) as text in bodyText. */
  body: jsonb('body'),
  bodyText: text('body_text'),
  checkoutRequestId: text('checkout_request_id'),
  receipt: text('receipt'),
  purchaseId: uuid('purchase_id'),
  outcome: text('outcome'),
  processedAt: ts('processed_at'),
});

export const ACCESS_STATUSES = ['issued', 'active', 'expired', 'revoked'] as const;
export type AccessStatus = (typeof ACCESS_STATUSES)[number];

export const accessCodes = pgTable('access_codes', {
  id: uuid('id').primaryKey(),
  codeHash: text('code_hash').notNull(),
  codeSealed: text('code_sealed').notNull(),
  /** An imported voucher whose password is not its code (migration 1650); null: the code is the password. */
  passwordHash: text('password_hash'),
  passwordSealed: text('password_sealed'),
  planId: integer('plan_id').notNull(),
  kind: text('kind', { enum: ['purchase', 'voucher'] }).notNull(),
  batchId: uuid('batch_id'),
  purchaseId: uuid('purchase_id'),
  status: text('status', { enum: ACCESS_STATUSES }).notNull().default('issued'),
  devices: integer('devices').notNull(),
  clock: text('clock', { enum: ['wall', 'uptime'] }).notNull(),
  durationSeconds: integer('duration_seconds').notNull(),
  dataCapBytes: big('data_cap_bytes'),
  usedSeconds: big('used_seconds').notNull().default(0),
  usedBytes: big('used_bytes').notNull().default(0),
  /** Migration 1850: when the code crossed its cap on a fair-use plan and was slowed down. */
  throttledAt: ts('throttled_at'),
  phone: text('phone'),
  validUntil: ts('valid_until'),
  soldAt: ts('sold_at'),
  issuedAt: ts('issued_at').notNull().defaultNow(),
  activatedAt: ts('activated_at'),
  expiresAt: ts('expires_at'),
  expiredAt: ts('expired_at'),
  revokedAt: ts('revoked_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** The deadline an expiry reminder was sent for (one per deadline). */
  remindedFor: ts('reminded_for'),
});

export const accessDevices = pgTable(
  'access_devices',
  {
    accessCodeId: uuid('access_code_id').notNull(),
    mac: text('mac').notNull(),
    boundAt: ts('bound_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at'),
  },
  (t) => [primaryKey({ columns: [t.accessCodeId, t.mac] })],
);

export const GRANT_STATUSES = ['pending', 'granted', 'revoking', 'revoked'] as const;

export const accessGrants = pgTable(
  'access_grants',
  {
    accessCodeId: uuid('access_code_id').notNull(),
    routerId: integer('router_id').notNull(),
    status: text('status', { enum: GRANT_STATUSES }).notNull().default('pending'),
    remoteId: text('remote_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    requestedAt: ts('requested_at').notNull(),
    grantedAt: ts('granted_at'),
    revokedAt: ts('revoked_at'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accessCodeId, t.routerId] })],
);

export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey(),
  accessCodeId: uuid('access_code_id'),
  routerId: integer('router_id'),
  acctSessionId: text('acct_session_id'),
  username: text('username'),
  mac: text('mac'),
  ip: text('ip'),
  status: text('status', { enum: ['active', 'closed'] })
    .notNull()
    .default('active'),
  startedAt: ts('started_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
  stoppedAt: ts('stopped_at'),
  sessionSeconds: big('session_seconds').notNull().default(0),
  inputBytes: big('input_bytes').notNull().default(0),
  outputBytes: big('output_bytes').notNull().default(0),
  terminateCause: text('terminate_cause'),
  /** Set while the router cannot be reached: the session is as last reported, not closed. */
  staleSince: ts('stale_since'),
  /** A kick could not reach the router (CoA port unreachable): it ends the session by Session-Timeout. */
  leftToRouterAt: ts('left_to_router_at'),
});

export const ADMIN_ROLES = ['owner', 'admin', 'cashier', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export const adminUsers = pgTable('admin_users', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  username: text('username').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ADMIN_ROLES }).notNull(),
  disabled: boolean('disabled').notNull().default(false),
  /** No longer used: wrong passwords are counted in admin_login_locks. */
  failedLogins: integer('failed_logins').notNull().default(0),
  /** No longer used: see admin_login_locks. */
  lockedUntil: ts('locked_until'),
  lastLoginAt: ts('last_login_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Wrong passwords per (username as typed, address); a lock here stops only that address. */
export const adminLoginLocks = pgTable(
  'admin_login_locks',
  {
    username: text('username').notNull(),
    ip: text('ip').notNull(),
    failures: integer('failures').notNull(),
    lockedUntil: ts('locked_until'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.username, t.ip] })],
);

export const adminSessions = pgTable('admin_sessions', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull(),
  csrfToken: text('csrf_token').notNull(),
  ip: text('ip'),
  userAgent: text('user_agent'),
  createdAt: ts('created_at').notNull(),
  lastSeenAt: ts('last_seen_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

export const auditLog = pgTable('audit_log', {
  id: big('id').primaryKey().generatedByDefaultAsIdentity(),
  at: ts('at').notNull().defaultNow(),
  actorId: integer('actor_id'),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entity: text('entity'),
  entityId: text('entity_id'),
  detail: jsonb('detail'),
  ip: text('ip'),
});

export const smsMessages = pgTable('sms_messages', {
  id: uuid('id').primaryKey(),
  toPhone: text('to_phone').notNull(),
  /** The text with its access code masked; the real text is in bodySealed until it is sent. */
  body: text('body').notNull(),
  bodySealed: text('body_sealed'),
  template: text('template'),
  purchaseId: uuid('purchase_id'),
  status: text('status', { enum: ['queued', 'sent', 'failed'] })
    .notNull()
    .default('queued'),
  providerId: text('provider_id'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  sentAt: ts('sent_at'),
  failedAt: ts('failed_at'),
});

/** Phones that asked for no reminder texts (reply STOP/ACHA, or staff). */
export const smsOptOuts = pgTable('sms_opt_outs', {
  phone: text('phone').primaryKey(),
  source: text('source', { enum: ['sms', 'staff'] }).notNull(),
  optedOutAt: ts('opted_out_at').notNull(),
});

export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: ts('window_start').notNull(),
  count: integer('count').notNull(),
});

export const JOB_STATUSES = ['queued', 'running', 'done', 'dead'] as const;

export const jobs = pgTable('jobs', {
  id: big('id').primaryKey().generatedByDefaultAsIdentity(),
  kind: text('kind').notNull(),
  payload: jsonb('payload').notNull().default({}),
  status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
  runAt: ts('run_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(12),
  idempotencyKey: text('idempotency_key'),
  lockedBy: text('locked_by'),
  lockedUntil: ts('locked_until'),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
  finishedAt: ts('finished_at'),
});

export const schemaMigrations = pgTable('schema_migrations', {
  name: text('name').primaryKey(),
  appliedAt: ts('applied_at').notNull(),
});
