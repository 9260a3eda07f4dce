/**
 * `wavu routers …`: the routers registry from the command line, through the same use cases as the
 * admin API, so each change (and each setup script, which carries a secret) is audited as `cli`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZodError } from 'zod';
import type { Deps } from '../app/deps.ts';
import { type Command, parse, UsageError } from '../cli/command.ts';
import { audit, cliActor } from '../audit/index.ts';
import { isAppError } from '../lib/errors.ts';
import { describeZod } from '../http/server.ts';
import './module.ts';
import { addRouter } from './routers/add-router.ts';
import { findRouter } from './routers/get-router.ts';
import { listRouters } from './routers/list-routers.ts';
import { removeRouter } from './routers/remove-router.ts';
import { testRouter } from './routers/test-router.ts';
import { updateRouter } from './routers/update-router.ts';
import type { RouterView } from './routers/repo.ts';
import { routerScript } from './routers/router-script.ts';
import { AGENT_SECTION, loginHtml } from './setup-script.ts';
import type { RouterRow } from './adapter.ts';
import { rotateAgentToken } from './routers/rotate-agent-token.ts';

const USAGE = `wavu routers <subcommand> [options]

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

const OPTIONS = {
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

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

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

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  add: ['mode', 'tunnel', 'level', 'faskey', ...ROUTER_FIELDS],
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

export const routersCommand: Command = {
  name: 'routers',
  summary: 'Add, list, test and remove routers; print a router setup script.',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, OPTIONS);
    const [sub, name, ...extra] = positionals;
    if (!sub) throw new UsageError('say what to do: add, list, show, update, remove, test or script');
    const allowed = ALLOWED[sub];
    if (!allowed) throw new UsageError(`unknown subcommand "${sub}"`);
    const given = Object.keys(values) as (keyof typeof OPTIONS)[];
    const wrong = given.filter((k) => !allowed.includes(k));
    if (wrong.length) throw new UsageError(`--${wrong[0]} does not apply to "routers ${sub}"`);
    if (sub !== 'list' && !name) throw new UsageError(`"routers ${sub}" needs the router's name`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'add') precheckAdd(values); // before opening the database: mistakes answer at once
    return ctx.withDeps(async (deps) => {
      try {
        return await SUBCOMMANDS[sub]!(deps, name ?? '', values);
      } catch (e) {
        if (isAppError(e)) {
          process.stderr.write(`wavu routers ${sub}: ${e.message}\n`);
          return 1;
        }
        if (e instanceof ZodError) {
          process.stderr.write(
            `wavu routers ${sub}: ${describeZod(e).replace(/(^|; )(\w+)/g, (_m, p, f) => `${p}--${kebab(f)}`)}\n`,
          );
          return 2;
        }
        throw e;
      }
    });
  },
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const out = (s: string) => process.stdout.write(`${s}\n`);

function describe(r: RouterView): string[] {
  const where =
    r.mode === 'api'
      ? r.transport === 'agent'
        ? 'agent (the router polls Wavu)'
        : `${apiConnection(r)} as ${r.username}`
      : r.mode === 'opennds'
        ? `openNDS FAS level ${r.openndsLevel} (gateway name ${r.openndsGatewayName}; the router polls Wavu)`
        : r.mode === 'unifi'
          ? `UniFi ${r.unifiApi} API at ${r.unifiUrl}, site ${r.unifiSite}`
          : `RADIUS from ${radiusFrom(r)} (NAS-Identifier ${r.nasIdentifier}), ${r.profile} profile${
              r.opnsenseUrl ? `, OPNsense API ${r.opnsenseUrl} zone ${r.opnsenseZone}` : ''
            }`;
  const lines = [
    `${r.name}  (${r.mode} mode${r.enabled ? '' : ', DISABLED'})`,
    `  connection   ${where}`,
    ...(r.revocation ? [`  revocation   ${r.revocation}`] : []),
    ...r.warnings.map((w) => `  WARNING      ${w}`),
    `  status       ${r.status}${r.lastSeenAt ? `, last seen ${r.lastSeenAt.toISOString()}` : ', never seen'}`,
  ];
  if (r.site) lines.push(`  site         ${r.site}`);
  if (r.lastError) lines.push(`  problem      ${r.problem}`, `  last error   ${r.lastError}`);
  if (r.health?.version)
    lines.push(`  router       ${r.health.identity} · RouterOS ${r.health.version} · ${r.health.board}`);
  if (r.tlsFingerprint) lines.push(`  certificate  ${r.tlsFingerprint}`);
  if (r.lastReconciledAt) lines.push(`  reconciled   ${r.lastReconciledAt.toISOString()}`);
  return lines;
}

/** "api 192.168.88.1:8728", or "api 10.250.0.2 over WireGuard" for a tunnelled router. */
function apiConnection(r: RouterView): string {
  const port = r.port ? `:${r.port}` : '';
  return r.tunnel === 'wireguard'
    ? `${r.transport} ${r.tunnelAddress}${port} over WireGuard`
    : `${r.transport} ${r.host}${port}`;
}

/** "10.8.0.12", "10.8.0.12, 10.9.0.0/16" or "any address". */
function radiusFrom(r: RouterView): string {
  if (r.allowFrom === 'any') return 'any address';
  return [r.nasAddress, ...(r.allowFrom ? r.allowFrom.split(',') : [])].filter(Boolean).join(', ');
}

function addInput(v: Values, name: string): Record<string, unknown> {
  const o: Record<string, unknown> = { name };
  if (v.mode !== undefined) o.mode = v.mode;
  if (v.tunnel !== undefined) o.tunnel = v.tunnel;
  if (v.host !== undefined) o.host = v.host;
  if (v.port !== undefined) o.port = v.port;
  if (v.transport !== undefined) o.transport = v.transport;
  if (v.username !== undefined) o.username = v.username;
  if (v.password !== undefined) o.password = v.password;
  if (v['hotspot-server'] !== undefined) o.hotspotServer = v['hotspot-server'];
  if (v['tls-fingerprint'] !== undefined) o.tlsFingerprint = v['tls-fingerprint'];
  if (v.address !== undefined) o.address = v.address;
  if (v.secret !== undefined) o.secret = v.secret;
  if (v['nas-identifier'] !== undefined) o.nasIdentifier = v['nas-identifier'];
  if (v['coa-port'] !== undefined) o.coaPort = v['coa-port'];
  if (v['allow-from'] !== undefined) o.allowFrom = v['allow-from'];
  if (v['message-auth'] !== undefined) o.messageAuth = v['message-auth'];
  if (v.site !== undefined) o.site = v.site;
  if (v.level !== undefined) o.level = v.level;
  if (v.faskey !== undefined) o.faskey = v.faskey;
  if (v.controller !== undefined) o.controller = v.controller;
  if (v['unifi-site'] !== undefined) o.unifiSite = v['unifi-site'];
  if (v.api !== undefined) o.api = v.api;
  if (v['api-key'] !== undefined) o.apiKey = v['api-key'];
  if (v.profile !== undefined) o.profile = v.profile;
  if (v['opnsense-url'] !== undefined)
    o.opnsenseUrl = v['opnsense-url'] === 'none' ? null : v['opnsense-url'];
  if (v['opnsense-key'] !== undefined) o.opnsenseApiKey = v['opnsense-key'];
  if (v['opnsense-secret'] !== undefined) o.opnsenseApiSecret = v['opnsense-secret'];
  if (v['opnsense-zone'] !== undefined) o.opnsenseZone = v['opnsense-zone'];
  return o;
}

function precheckAdd(v: Values): void {
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

const SUBCOMMANDS: Record<string, (deps: Deps, name: string, v: Values) => Promise<number>> = {
  async add(deps, name, v) {
    const res = await addRouter(deps, addInput(v, name) as never, { actor: cliActor() });
    out(`Added router ${res.router.name}.`);
    out(describe(res.router).slice(1).join('\n'));
    if (res.generated.password)
      out(
        `  API password generated for user "${res.router.username}" (the setup script sets it on the router).`,
      );
    if (res.generated.secret) out(`  RADIUS secret generated: ${res.generated.secret}`);
    if (res.generated.faskey) out('  faskey generated (the setup script carries it).');
    if (res.router.tunnel === 'wireguard')
      out(`  WireGuard key pair generated; the router's tunnel address is ${res.router.tunnelAddress}.`);
    if (res.generated.agentToken) {
      out(`  Agent token (shown once, only its hash is kept): ${res.generated.agentToken}`);
      out('');
      out('Next:');
      out(
        `  1. wavu routers script ${res.router.name} --token=${res.generated.agentToken} --out .   (add --routeros 6 for RouterOS 6.43+)`,
      );
      out(
        `  2. import wavu-${res.router.name}.rsc on the router; it checks in within 10 s (wavu routers show ${res.router.name})`,
      );
      return 0;
    }
    for (const w of res.router.warnings) process.stderr.write(`Warning: ${w}\n`);
    out('');
    out('Next:');
    let step = 0;
    if (res.router.tunnel === 'wireguard')
      out(
        `  ${++step}. wavu wireguard server-config --out /etc/wireguard/wavu.conf   (then wg-quick up wavu, or wg syncconf)`,
      );
    out(
      `  ${++step}. wavu routers script ${res.router.name} --out .     (then import wavu-${res.router.name}.rsc on the router)`,
    );
    if (res.router.mode === 'api') out(`  ${++step}. wavu routers test ${res.router.name}`);
    return 0;
  },
  async list(deps, _name, v) {
    const list = await listRouters(deps);
    if (v.json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    if (!list.length) {
      out(
        'No routers yet. Add one: wavu routers add NAME --mode api --host ADDRESS   (see wavu routers --help)',
      );
      return 0;
    }
    const rows = list.map((r) => [
      r.name,
      r.mode,
      r.mode === 'opennds'
        ? `openNDS level ${r.openndsLevel} (polls Wavu)`
        : r.mode === 'unifi'
          ? `UniFi ${r.unifiUrl} site ${r.unifiSite}`
          : r.mode !== 'api'
            ? `radius ${radiusFrom(r)}`
            : r.transport === 'agent'
              ? 'agent (polls Wavu)'
              : apiConnection(r),
      r.enabled ? r.status : 'disabled',
      r.lastSeenAt ? r.lastSeenAt.toISOString().replace('T', ' ').slice(0, 19) : '-',
    ]);
    const head = ['NAME', 'MODE', 'CONNECTION', 'STATUS', 'LAST SEEN (UTC)'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows])
      out(
        r
          .map((c, i) => c.padEnd(w[i]!))
          .join('  ')
          .trimEnd(),
      );
    const warnings = list.flatMap((r) => r.warnings);
    if (warnings.length) out('');
    for (const w of warnings) out(`WARNING: ${w}`);
    return 0;
  },
  async show(deps, name, v) {
    const list = await listRouters(deps);
    const r = list.find((x) => x.name === name || String(x.id) === name);
    if (!r) await findRouter(deps, name); // throws the not-found message
    out(v.json ? JSON.stringify(r, null, 2) : describe(r!).join('\n'));
    return 0;
  },
  async update(deps, name, v) {
    if (v.enable && v.disable) throw new UsageError('--enable and --disable together make no sense');
    const input = addInput(v, name) as Record<string, unknown>;
    delete input.name;
    if (v.name) input.name = v.name;
    if (v.enable) input.enabled = true;
    if (v.disable) input.enabled = false;
    if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give at least one option');
    const r = await updateRouter(deps, name, input, { actor: cliActor() });
    out(`Updated ${r.name}.`);
    out(describe(r).join('\n'));
    if (input.allowFrom !== undefined || input.address !== undefined)
      out('A running RADIUS server applies the change within 5 seconds.');
    return 0;
  },
  async remove(deps, name) {
    const res = await removeRouter(deps, name, { actor: cliActor() });
    out(
      res.removed
        ? `Removed ${name}. (Nothing was changed on the router itself.)`
        : `${name} has payments or sessions on record, so it was disabled instead of deleted.`,
    );
    return 0;
  },
  async test(deps, name) {
    const res = await testRouter(deps, name);
    const h = res.health;
    if (h.ok) {
      out(`OK: ${name} answered in ${h.latencyMs} ms`);
      if (h.identity !== undefined)
        out(
          `  identity ${h.identity} · RouterOS ${h.version} · ${h.board} · up ${h.uptimeSeconds}s · ${h.activeSessions} online`,
        );
      if (res.fingerprint256)
        out(
          `  certificate SHA-256 ${res.fingerprint256}\n  pin it: wavu routers update ${name} --tls-fingerprint ${res.fingerprint256}`,
        );
      return 0;
    }
    process.stderr.write(`FAILED: ${name}: ${h.error}\n`);
    if (res.hint) process.stderr.write(`  ${res.hint}\n`);
    return 1;
  },
  async script(deps, name, v) {
    let router = await findRouter(deps, name);
    if (v['rotate-password']) {
      if (router.mode !== 'api') throw new UsageError('--rotate-password is for routers in api mode');
      const { generateSecret } = await import('./routers/add-router.ts');
      await updateRouter(deps, router.id, { password: generateSecret() }, { actor: cliActor() });
      router = await findRouter(deps, router.id);
      process.stderr.write(
        'New API password stored: Wavu uses it from now on, so run this script on the router now.\n',
      );
    }
    if (router.name === 'demo-router') {
      process.stderr.write(
        'Note: demo-router is simulated inside the demo; this is the script a real MikroTik would run.\n',
      );
    }
    const agent = await agentScriptOptions(deps, router, v);
    const html = loginHtml({ publicUrl: deps.config.publicUrl, routerName: router.name });
    if ((router.mode === 'opennds' || router.mode === 'unifi') && (v.out || v['login-html'])) {
      throw new UsageError(
        `--out and --login-html are for MikroTik routers; an ${router.mode === 'unifi' ? 'UniFi' : 'openNDS'} script prints as text`,
      );
    }
    if (
      v.ppp &&
      !((router.mode === 'api' || router.mode === 'radius') && router.radiusProfile === 'mikrotik')
    ) {
      throw new UsageError(
        '--ppp is for MikroTik routers (api mode, or radius mode with the mikrotik profile)',
      );
    }
    if (v['fas-ip'] !== undefined && router.mode !== 'opennds') {
      throw new UsageError('--fas-ip is for openNDS routers');
    }
    if (v['login-html']) {
      process.stdout.write(html);
      return 0;
    }
    if (/^https?:\/\/(localhost|127\.)/.test(deps.config.publicUrl)) {
      process.stderr.write(
        `Note: PUBLIC_URL is ${deps.config.publicUrl}, which phones on the hotspot cannot reach. Set PUBLIC_URL to this server's address first.\n`,
      );
    }
    const script = await routerScript(deps, router, {
      radiusAddress: v['radius-address'],
      ...agent,
      fasIp: v['fas-ip'],
      ppp: v.ppp === true,
    });
    await audit(deps.db, deps, {
      actor: cliActor(),
      action: 'router.script',
      entity: 'router',
      entityId: router.id,
    });
    if (v['agent-only']) {
      process.stdout.write(script.slice(script.indexOf(AGENT_SECTION)));
      return 0;
    }
    if (v.out) {
      const dir = resolve(v.out);
      mkdirSync(join(dir, 'wavu'), { recursive: true });
      const rsc = join(dir, `wavu-${router.name}.rsc`);
      writeFileSync(rsc, script, { mode: 0o600 });
      writeFileSync(join(dir, 'wavu', 'login.html'), html);
      out(`Wrote ${rsc} (contains a password: keep it private) and ${join(dir, 'wavu', 'login.html')}.`);
      out(
        `Upload both to the router (Winbox > Files; keep the wavu folder), then run: /import file-name=wavu-${router.name}.rsc`,
      );
      return 0;
    }
    process.stdout.write(script);
    return 0;
  },
};

/**
 * The agent part of `script`: which token and which RouterOS syntax. A token typed with --token
 * goes to routerScript as typed, so it is checked against the stored hash (a mistyped token would
 * otherwise give a script that can never check in); a token just made by --rotate-token is the
 * stored one by construction.
 */
async function agentScriptOptions(
  deps: Deps,
  router: RouterRow,
  v: Values,
): Promise<
  { agent: { token: string; routeros: 6 | 7 } } | { agentToken: string; routeros: 6 | 7 } | undefined
> {
  const agentFlags = v.token || v['rotate-token'] || v.routeros || v['agent-only'];
  if (router.apiTransport !== 'agent') {
    if (agentFlags)
      throw new UsageError('--token, --rotate-token, --routeros and --agent-only are for agent routers');
    return undefined;
  }
  if (v.routeros !== undefined && v.routeros !== '6' && v.routeros !== '7')
    throw new UsageError('--routeros is 6 (6.43 or later) or 7');
  const routeros = v.routeros === '6' ? 6 : 7;
  let rotated: string | undefined;
  if (v['rotate-token']) {
    rotated = await rotateAgentToken(deps, router.id);
    process.stderr.write(
      'New agent token stored: the old one no longer works, so run this script on the router now.\n',
    );
  }
  if (!rotated && !v.token) {
    throw new UsageError(
      `the script carries the router's agent token, which Wavu keeps only as a hash: give the one "wavu routers add" showed (--token TOKEN), or make a new one with --rotate-token`,
    );
  }
  if (!deps.config.publicUrl.startsWith('https://')) {
    process.stderr.write(
      `Note: PUBLIC_URL is ${deps.config.publicUrl}; the agent checks certificates (check-certificate=yes), so it needs an https:// PUBLIC_URL with a certificate the router trusts.\n`,
    );
  }
  return rotated ? { agent: { token: rotated, routeros } } : { agentToken: v.token!, routeros };
}
