/**
 * `wavu routers script NAME`: the RouterOS script that prepares a MikroTik for Wavu, and the tiny
 * login.html that sends every new device to the portal with the hotspot's variables. Both are
 * safe to run/upload again (entries Wavu made are found by their comment and replaced).
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from '../lib/loopback.ts';
import type { RouterRow } from './adapter.ts';
import { pppScriptLines } from './ppp-script.ts';
import { rscString } from './rsc.ts';
import { DEFAULT_PORTS } from './connections.ts';
import type { WireguardRouterEnd } from './wireguard/router-end.ts';
import { agentInstallScript, type RouterOsMajor } from './agent/script.ts';

/** Where the agent's part of the script starts (`--agent-only` prints from here). */
export const AGENT_SECTION = '# The Wavu agent for router';

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The hotspot's login page, replaced by a form that goes straight to the portal. No scripts or
 * styles from elsewhere (the walled garden would block them); one inline line submits the form,
 * and without JavaScript a button does. The portal reads these exact parameter names.
 */
export function loginHtml(o: { publicUrl: string; routerName: string }): string {
  const v = (name: string, value: string) => `<input type="hidden" name="${name}" value="${value}">`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>WiFi</title></head>
<body onload="document.forms[0].submit()">
<form method="get" action="${attr(`${o.publicUrl}/portal`)}">
${v('router', attr(o.routerName))}
${v('mac', '$(mac)')}
${v('ip', '$(ip)')}
${v('link-login-only', '$(link-login-only)')}
${v('link-orig', '$(link-orig)')}
${v('chap-id', '$(chap-id)')}
${v('chap-challenge', '$(chap-challenge)')}
${v('identity', '$(identity)')}
${v('error', '$(error)')}
<noscript><button>Continue</button></noscript>
</form>
</body></html>
`;
}

export interface ScriptInput {
  router: RouterRow;
  publicUrl: string;
  /** API user's password (api mode). */
  apiPassword?: string | undefined;
  /** RADIUS shared secret (radius mode). */
  radiusSecret?: string | undefined;
  /** Where the router sends RADIUS; by default the PUBLIC_URL host, resolved on the router. */
  radiusAddress?: string | undefined;
  radiusPorts?: { auth: number; acct: number };
  /** The router's tunnel end (routers added with --tunnel wireguard). */
  wireguard?: WireguardRouterEnd | undefined;
  /** Agent routers: the token it polls with and the RouterOS syntax to use. */
  agent?: { token: string; routeros: RouterOsMajor } | undefined;
  /** `--ppp`: also set the router up for PPPoE subscribers, with this expired pool. */
  ppp?: { expiredPool: string } | undefined;
  now: Date;
}

/** The RouterOS service that answers each transport. */
const SERVICE = { api: 'api', 'api-tls': 'api-ssl', rest: 'www-ssl' } as const;

/**
 * RouterOS 7 WireGuard: the router dials the server and keeps the path open through its NAT
 * (persistent-keepalive), so Wavu reaches the API at the router's tunnel address. The API service
 * then answers only the server's tunnel address, and the firewall lets that one address in on
 * the tunnel (default v7 firewalls drop input that is not from the LAN).
 */
function wireguardLines(r: RouterRow, w: WireguardRouterEnd, step: string): string[] {
  const C = rscString('Wavu');
  const wg = rscString('wavu-wg');
  const fw = rscString('Wavu tunnel API');
  const port = r.apiPort ?? DEFAULT_PORTS[r.apiTransport === 'agent' ? 'api' : r.apiTransport];
  const accept = `/ip firewall filter add chain=input in-interface=${wg} src-address=${w.serverAddress} protocol=tcp dst-port=${port} action=accept comment=${fw}`;
  return [
    `${step} WireGuard tunnel to Wavu (RouterOS 7 only): Wavu manages the router through it, so the router`,
    '#    needs no public address. It holds the tunnel private key: keep this file private.',
    ':if ([:tonum [:pick [/system resource get version] 0 1]] < 7) do={ :error "WireGuard needs RouterOS 7: upgrade, or use another transport" }',
    `:if ([:len [/interface wireguard find name=${wg}]] = 0) do={`,
    `  /interface wireguard add name=${wg} private-key=${rscString(w.privateKey)} comment=${C}`,
    '} else={',
    `  /interface wireguard set [find name=${wg}] private-key=${rscString(w.privateKey)}`,
    '}',
    `/interface wireguard peers remove [find interface=${wg}]`,
    `/interface wireguard peers add interface=${wg} public-key=${rscString(w.serverPublicKey)} endpoint-address=${rscString(w.endpointHost)} endpoint-port=${w.endpointPort} allowed-address=${w.serverAddress}/32 persistent-keepalive=25s comment=${C}`,
    `/ip address remove [find interface=${wg}]`,
    `/ip address add address=${w.address}/${w.prefix} interface=${wg} comment=${C}`,
    `/ip firewall filter remove [find comment=${fw}]`,
    `:do { ${accept} place-before=0 } on-error={ ${accept} }`,
    '',
  ];
}

/**
 * Why the setup scripts would not work with this PUBLIC_URL, or null. A loopback address (the
 * demo's http://localhost:3000) puts "localhost" in the router's walled garden and login page:
 * a phone on the hotspot would look for the portal on itself.
 */
export function publicUrlWarning(publicUrl: string): string | null {
  const host = new URL(publicUrl).hostname;
  if (!isLoopbackHost(host)) return null;
  return `PUBLIC_URL is ${publicUrl}, an address only this computer can reach: a router's setup script would send phones to "${host}" (itself). Set PUBLIC_URL to the address routers and phones reach Wavu at, then run the script again.`;
}

export function setupScript(i: ScriptInput): string {
  const r = i.router;
  const url = new URL(i.publicUrl);
  const portalHost = url.hostname;
  const portalPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const C = rscString('Wavu');
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  let step = 0;
  const n = () => `# ${++step}.`;
  add(
    `# Wavu setup for router "${r.name}" (${r.mode} mode), generated ${i.now.toISOString()}`,
    '# Before running it: set up the hotspot itself (IP > Hotspot > Hotspot Setup).',
    `# Run it: upload this file to the router (Winbox: Files), then in a terminal:  /import file-name=wavu-${r.name}.rsc`,
    '# Running it again is safe: everything Wavu adds is marked with the comment "Wavu" and replaced.',
    '# It contains a password: delete the file from the router afterwards (/file remove wavu-...rsc).',
    '',
  );
  if (r.mode === 'api' && i.wireguard) add(...wireguardLines(r, i.wireguard, n()));
  if (r.mode === 'api' && r.apiTransport === 'agent') {
    if (!i.agent) throw new Error('an agent router needs its token for the script');
    add(
      `${n()} The agent: Wavu cannot reach this router, so the router checks in with Wavu.`,
      agentInstallScript({
        routerName: r.name,
        pollUrl: `${i.publicUrl.replace(/\/$/, '')}/agent/v1/poll`,
        token: i.agent.token,
        routeros: i.agent.routeros,
      }),
    );
  } else if (r.mode === 'api') {
    const user = r.username ?? 'wavu';
    // Only Wavu may use the API service (RouterOS: the service's address list): its tunnel
    // address, else the PUBLIC_URL host. A loopback PUBLIC_URL (the demo) is no address a router
    // can see, so the script says to set it rather than locking the service to nothing.
    const only = i.wireguard
      ? ` address=${i.wireguard.serverAddress}/32`
      : isLoopbackHost(portalHost)
        ? ''
        : ` address=${isIP(portalHost) ? portalHost : `[:resolve ${rscString(portalHost)}]`}`;
    if (!only)
      add(
        `# PUBLIC_URL (${url.origin}) is this machine's loopback address: set PUBLIC_URL to the address`,
        '#    routers and phones reach Wavu at, and run the new script; the API service below is then',
        "#    limited to Wavu's address.",
      );
    add(
      `${n()} The user Wavu logs in with: API access only, no Winbox, SSH, FTP or web.`,
      `:do { /user group add name=wavu-api policy=read,write,api,rest-api,!local,!telnet,!ssh,!ftp,!reboot,!policy,!test,!winbox,!password,!web,!sniff,!sensitive,!romon comment=${C} } on-error={`,
      `  :do { /user group add name=wavu-api policy=read,write,api,!local,!telnet,!ssh,!ftp,!reboot,!policy,!test,!winbox,!password,!web,!sniff,!sensitive,!romon comment=${C} } on-error={} }`,
      `:if ([:len [/user find name=${rscString(user)}]] = 0) do={`,
      `  /user add name=${rscString(user)} group=wavu-api password=${rscString(i.apiPassword ?? '')} comment=${C}`,
      '} else={',
      `  /user set [find name=${rscString(user)}] password=${rscString(i.apiPassword ?? '')}`,
      '}',
    );
    if (r.apiTransport === 'api') {
      add(`/ip service set api disabled=no${only}`);
    } else {
      add(
        '# A self-signed certificate for the encrypted service (pin it in Wavu: wavu routers test prints its fingerprint).',
        ':if ([:len [/certificate find name="wavu-api"]] = 0) do={',
        '  /certificate add name=wavu-api common-name=wavu-api days-valid=3650 key-usage=digital-signature,key-encipherment,tls-server',
        '  /certificate sign wavu-api',
        '  :delay 5s',
        '}',
        `/ip service set ${SERVICE[r.apiTransport as keyof typeof SERVICE]} certificate=wavu-api disabled=no${only}`,
      );
    }
    add('');
  }
  add(
    `${n()} Walled garden: the portal must open before login. (Do not add captive-portal check hosts such as`,
    '#    connectivitycheck.gstatic.com or captive.apple.com: phones would stop showing the portal.)',
    `/ip hotspot walled-garden remove [find comment=${C}]`,
    `/ip hotspot walled-garden add dst-host=${rscString(portalHost)} comment=${C}`,
    `/ip hotspot walled-garden ip remove [find comment=${C}]`,
    `/ip hotspot walled-garden ip add dst-host=${rscString(portalHost)} protocol=tcp dst-port=${portalPort} action=accept comment=${C}`,
  );
  if (portalPort === 443) {
    add(
      `/ip hotspot walled-garden ip add dst-host=${rscString(portalHost)} protocol=udp dst-port=443 action=accept comment=${C}`,
    );
  }
  add('');
  const profileSel = r.hotspotServer
    ? `[/ip hotspot profile find name=[/ip hotspot get [find name=${rscString(r.hotspotServer)}] profile]]`
    : '[/ip hotspot profile find default=no]';
  add(
    `${n()} Hotspot server profile: CHAP login (the portal never sends a code in clear), and our login page.`,
    `:foreach p in=${profileSel} do={`,
    `  /ip hotspot profile set $p login-by=http-chap,cookie html-directory-override=wavu${
      r.mode === 'radius'
        ? ' use-radius=yes radius-accounting=yes radius-interim-update=5m'
        : ' use-radius=no'
    }`,
    '}',
    '',
    `${n()} login.html: sends every new device to the portal with the hotspot variables (RouterOS 7.9+ can`,
    '#    write files from a script; on older versions upload wavu/login.html by hand, see the Wavu docs).',
    ':do { /file remove [find name="wavu/login.html"] } on-error={}',
    `:do { /file add name="wavu/login.html" contents=${rscString(loginHtml({ publicUrl: i.publicUrl, routerName: r.name }))} } on-error={`,
    `  :put "Could not write wavu/login.html: upload it by hand (wavu routers script ${r.name} --login-html > login.html)" }`,
  );
  if (r.mode === 'radius') {
    const ports = i.radiusPorts ?? { auth: 1812, acct: 1813 };
    // An IP is required here; a host name is looked up on the router when the script runs.
    const wavuIp = i.radiusAddress ?? `[:resolve ${rscString(portalHost)}]`;
    const fw = rscString('Wavu RADIUS disconnect');
    const accept = `/ip firewall filter add chain=input protocol=udp dst-port=${r.coaPort} src-address=${wavuIp} action=accept comment=${fw}`;
    add(
      '',
      `${n()} RADIUS: the router asks Wavu whether a code or device may go online, and reports usage.`,
      '#    RouterOS 7.15+ signs every request (require-message-auth, on by default); Wavu refuses',
      '#    unsigned requests, so upgrade older RouterOS first.',
    );
    if (r.nasIdentifier)
      add(
        '#    Wavu knows the router by its identity (sent as NAS-Identifier), so it keeps working when',
        '#    its public address changes.',
        `/system identity set name=${rscString(r.nasIdentifier)}`,
      );
    add(
      `/radius remove [find comment=${C}]`,
      `/radius add service=${i.ppp ? 'hotspot,ppp' : 'hotspot'} address=${wavuIp} secret=${rscString(i.radiusSecret ?? '')} authentication-port=${ports.auth} accounting-port=${ports.acct} timeout=3s comment=${C}`,
      '# Let Wavu end sessions (Disconnect/CoA) the moment access ends, and only Wavu.',
      `/radius incoming set accept=yes port=${r.coaPort}`,
      `/ip firewall filter remove [find comment=${fw}]`,
      `:do { ${accept} place-before=0 } on-error={ ${accept} }`,
    );
  }
  if (i.ppp && (r.mode === 'api' || r.mode === 'radius')) {
    add(
      ...pppScriptLines(
        {
          mode: r.mode,
          wavuIp: i.radiusAddress ?? (isIP(portalHost) ? portalHost : `[:resolve ${rscString(portalHost)}]`),
          publicUrl: i.publicUrl,
          expiredPool: i.ppp.expiredPool,
        },
        n,
      ),
    );
  }
  add('', `:put "Wavu setup done. On the Wavu server run: wavu routers test ${r.name}"`, '');
  return lines.join('\n');
}
