/** The options of `wavu routers`, which subcommand takes which, and how `add`'s reach addRouter. */
import { type parse, UsageError } from '../../cli/command.ts';

export const USAGE = `wavu routers <subcommand> [options]

Manage the routers (gateways) Wavu lets people online through.

Subcommands:
  add NAME --mode api --host ADDRESS [options]
        A MikroTik that Wavu manages over the RouterOS API: Wavu adds a hotspot user per
        code and removes it when time is up.
          --transport api|api-tls|rest   API (8728), API over TLS (8729) or v7 REST over
                                         HTTPS (443). Default: api-tls (the plain
                                         API sends the password unencrypted)
          --port N                       if not the transport's default
          --username NAME                API user (default: wavu)
          --password PASSWORD            leave out to have a strong one generated; the
                                         setup script creates the user with it
          --hotspot-server NAME          the /ip hotspot server to configure (default: all)
          --tls-fingerprint SHA256       pin the router's certificate (api-tls, rest)
          --tunnel wireguard             RouterOS 7 behind NAT: Wavu makes a WireGuard
                                         tunnel (keys and an address from
                                         WIREGUARD_SUBNET) and dials the API through it;
                                         --host is then optional. Server end:
                                         wavu wireguard server-config
  add NAME --mode api --transport agent
        A MikroTik Wavu cannot reach (CGNAT, 4G/LTE, Starlink): the router polls Wavu over
        HTTPS every 10 s and runs the commands it is given. No address needed. Its agent
        token is shown once; the setup script carries it.
  add NAME --mode radius --address IP [options]
        Any gateway that asks Wavu over RADIUS (MikroTik or other).
          --address IP                   the IP the router sends RADIUS from; only
                                         packets from it are accepted
          --secret SECRET                shared secret; leave out to have one generated
          --nas-identifier ID            NAS-Identifier it sends (default: NAME)
          --allow-from LIST              more addresses or networks it may send from
                                         (10.8.0.0/24,198.51.100.7), "any" for a router
                                         behind CGNAT (warned about), "none" to clear
          --message-auth required|allow-without
                                         Message-Authenticator in Access-Requests: required
                                         (default, BlastRADIUS); allow-without for gateways
                                         that cannot send it (warned about)
          --profile mikrotik|pfsense|opnsense
                                         whose attributes Wavu answers with (default
                                         mikrotik). pfsense: pfSense-Bandwidth-Max-*, data
                                         caps; revoked codes refused at its re-authentication
                                         (docs/pfsense-setup.md). opnsense: time only
                                         (docs/opnsense-setup.md)
          --opnsense-url URL --opnsense-key KEY --opnsense-secret SECRET [--opnsense-zone N]
                                         OPNsense's API key (sealed): Wavu ends sessions
                                         through its captive-portal API at once; without
                                         it they end at Session-Timeout. --opnsense-url
                                         none (update) forgets it
  add NAME --mode opennds [--level 3|1] [--faskey KEY]
        An openNDS router (OpenWrt, Debian): Wavu is its FAS. Level 3 (default): HTTPS FAS,
        authmon pulls each login from Wavu, so it works behind NAT. Level 1: hashed token,
        for sites where Wavu is on the router's LAN. The faskey is generated if left out;
        "script" prints it with the UCI commands, opennds.conf and Wavu's deauth poller.
  add NAME --mode unifi --controller URL [--unifi-site SITE] (--api-key KEY | --username U --password P [--api unifi-os|classic])
        A UniFi Network site: Wavu is its external portal and authorises guests on the
        controller. With --api-key, the Network Integration API (Network 9.1+); with a local
        account, the legacy API (--api unifi-os for a console, classic for a self-hosted
        controller). --unifi-site is the short name in /guest/s/<site>/ (default "default").
        "script" prints the portal settings to make in UniFi Network.
  list                                   every router, its status and last contact
  show NAME                              one router in detail
  update NAME [the options of add] [--enable | --disable] [--name NEW]
  remove NAME                            forget a router (one with history is disabled instead)
  test NAME                              connect and log in now; shows identity, version, uptime
  script NAME [--out DIR] [--login-html] [--radius-address IP] [--rotate-password]
        Print the RouterOS setup script for the router (hotspot profile, walled garden for
        the portal, API user, agent or RADIUS client). --out writes wavu-NAME.rsc and
        wavu/login.html into DIR; --login-html prints only login.html.
        Agent routers: --token TOKEN (the one shown by add) or --rotate-token (a new one;
        the old one stops working), --routeros 6|7 (default 7; 6 means 6.43 or later),
        --agent-only (just the agent: NTP, the script and its schedule).
        openNDS routers: --fas-ip IP (Wavu's address as the router reaches it, when
        PUBLIC_URL names a host).
        --ppp (MikroTik): also PPPoE subscribers: PPP logins through Wavu's RADIUS, the
        expired pool, and its web traffic redirected to the pay page (docs/pppoe-setup.md).
  Common: --site TEXT (a label, e.g. "Hostel block B")

Examples:
  wavu routers add hostel-1 --mode api --host 192.168.88.1
  wavu routers script hostel-1 --out .
  wavu routers test hostel-1
  wavu routers add shop-3 --mode api --tunnel wireguard    (RouterOS 7 behind NAT)
  wavu routers add cafe-2 --mode radius --address 10.8.0.12
  wavu routers add campus --mode radius --address 10.0.0.1 --profile pfsense   (docs/pfsense-setup.md)
  wavu routers update cafe-2 --allow-from 10.8.0.0/24
  wavu routers add flat-4 --mode opennds                   (OpenWrt; see docs/opennds-setup.md)
  wavu routers add lodge --mode unifi --controller https://192.168.1.1 --api-key KEY   (docs/unifi-setup.md)

Step-by-step guide: docs/mikrotik-setup.md`;

export const OPTIONS = {
  mode: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  transport: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'hotspot-server': { type: 'string' },
  'tls-fingerprint': { type: 'string' },
  tunnel: { type: 'string' },
  address: { type: 'string' },
  secret: { type: 'string' },
  'nas-identifier': { type: 'string' },
  'coa-port': { type: 'string' },
  'allow-from': { type: 'string' },
  site: { type: 'string' },
  name: { type: 'string' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
  out: { type: 'string' },
  'login-html': { type: 'boolean' },
  'radius-address': { type: 'string' },
  'rotate-password': { type: 'boolean' },
  'rotate-token': { type: 'boolean' },
  token: { type: 'string' },
  routeros: { type: 'string' },
  'agent-only': { type: 'boolean' },
  ppp: { type: 'boolean' },
  json: { type: 'boolean' },
  level: { type: 'string' },
  faskey: { type: 'string' },
  'fas-ip': { type: 'string' },
  'message-auth': { type: 'string' },
  controller: { type: 'string' },
  'unifi-site': { type: 'string' },
  api: { type: 'string' },
  'api-key': { type: 'string' },
  profile: { type: 'string' },
  'opnsense-url': { type: 'string' },
  'opnsense-key': { type: 'string' },
  'opnsense-secret': { type: 'string' },
  'opnsense-zone': { type: 'string' },
} as const;

export type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** What describes a router; `add` and `update` both take these. */
const ROUTER_FIELDS: (keyof typeof OPTIONS)[] = [
  'host',
  'port',
  'transport',
  'username',
  'password',
  'hotspot-server',
  'tls-fingerprint',
  'address',
  'secret',
  'nas-identifier',
  'coa-port',
  'allow-from',
  'message-auth',
  'profile',
  'opnsense-url',
  'opnsense-key',
  'opnsense-secret',
  'opnsense-zone',
  'site',
];

export const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  add: ['mode', 'tunnel', 'level', 'faskey', 'controller', 'unifi-site', 'api', 'api-key', ...ROUTER_FIELDS],
  update: [...ROUTER_FIELDS, 'name', 'enable', 'disable'],
  list: ['json'],
  show: ['json'],
  remove: [],
  test: [],
  script: [
    'out',
    'login-html',
    'radius-address',
    'rotate-password',
    'rotate-token',
    'token',
    'routeros',
    'agent-only',
    'fas-ip',
    'ppp',
  ],
};

/** `add`'s options, as the names addRouterInput takes (where the two differ). */
const INPUT_NAMES: Partial<Record<keyof typeof OPTIONS, string>> = {
  'hotspot-server': 'hotspotServer',
  'tls-fingerprint': 'tlsFingerprint',
  'nas-identifier': 'nasIdentifier',
  'coa-port': 'coaPort',
  'allow-from': 'allowFrom',
  'message-auth': 'messageAuth',
  'unifi-site': 'unifiSite',
  'api-key': 'apiKey',
  'opnsense-url': 'opnsenseUrl',
  'opnsense-key': 'opnsenseApiKey',
  'opnsense-secret': 'opnsenseApiSecret',
  'opnsense-zone': 'opnsenseZone',
};

/** The options given to `add`, as the input of addRouter (validated there by its zod schema). */
export function addInput(v: Values, name: string): Record<string, unknown> {
  const o: Record<string, unknown> = { name };
  for (const [option, value] of Object.entries(v) as [keyof typeof OPTIONS, unknown][]) {
    if (value === undefined || !ALLOWED.add!.includes(option)) continue;
    o[INPUT_NAMES[option] ?? option] = value;
  }
  // "none" takes a router off OPNsense's API (it was given one before).
  if (o.opnsenseUrl === 'none') o.opnsenseUrl = null;
  return o;
}

/** Mistakes in `add`'s options, answered before the database is opened. */
export function precheckAdd(v: Values): void {
  if (!v.mode) {
    throw new UsageError(
      '--mode is required: "api" (Wavu manages hotspot users on a MikroTik over its API), "radius" (the router asks Wavu over RADIUS), "opennds" (an openNDS router; Wavu is its FAS) or "unifi" (a UniFi site; Wavu is its external portal)',
    );
  }
  if (v.mode !== 'unifi' && (v.controller || v['unifi-site'] || v.api || v['api-key'])) {
    throw new UsageError('--controller, --unifi-site, --api and --api-key are for --mode unifi');
  }
  if (v.mode === 'unifi' && (v.host || v.transport || v.address || v.secret || v.tunnel)) {
    throw new UsageError(
      '--mode unifi takes --controller, --unifi-site, --api-key or --username/--password (and --api): Wavu calls the controller',
    );
  }
  if (v.mode !== 'opennds' && (v.level !== undefined || v.faskey !== undefined)) {
    throw new UsageError('--level and --faskey are for --mode opennds');
  }
  if (v.mode === 'opennds' && (v.host || v.transport || v.username || v.password || v.address || v.secret)) {
    throw new UsageError('--mode opennds takes only --level, --faskey and --site: the router polls Wavu');
  }
  if (v.mode === 'api' && (v.address || v.secret || v['nas-identifier'] || v['allow-from'] !== undefined)) {
    throw new UsageError(
      '--address, --secret, --nas-identifier and --allow-from are for --mode radius; api mode uses --host',
    );
  }
  if (v.tunnel !== undefined && v.mode !== 'api') {
    throw new UsageError('--tunnel wireguard is for --mode api (Wavu dials the router through the tunnel)');
  }
  if (v.transport === 'agent' && (v.host || v.port || v.password || v.tunnel)) {
    throw new UsageError(
      '--transport agent needs no --host, --port, --password or --tunnel: the router polls Wavu',
    );
  }
  const opn = v['opnsense-url'] ?? v['opnsense-key'] ?? v['opnsense-secret'] ?? v['opnsense-zone'];
  if (v.mode !== 'radius' && (v.profile !== undefined || opn !== undefined)) {
    throw new UsageError('--profile and the --opnsense-* options are for --mode radius');
  }
  if (v.mode === 'radius' && (v.host || v.transport || v.username || v.password)) {
    throw new UsageError(
      '--host, --transport, --username and --password are for --mode api; radius mode uses --address and --secret',
    );
  }
}
