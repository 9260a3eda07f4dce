/**
 * The PPPoE part of a MikroTik setup script (`wavu routers script NAME --ppp`): PPP logins and
 * accounting through Wavu's RADIUS (radius mode), and the expired pool, whose subscribers reach
 * only Wavu and whose web requests are sent to the pay page.
 *
 * The redirect uses the router's web proxy: NAT sends the pool's port-80 traffic (except to Wavu
 * itself) to the proxy, and a proxy access rule answers it with a redirect to PUBLIC_URL/pay. A
 * plain dst-nat to Wavu would arrive with the other site's Host header and path, which Wavu cannot
 * tell from a hotspot request. HTTPS sites cannot be redirected (the browser refuses any
 * certificate but the site's); phones open their sign-in prompt from the port-80 check instead.
 */
import { rscString } from './rsc.ts';

export interface PppScriptInput {
  mode: 'api' | 'radius';
  /** Wavu's address as a RouterOS expression (an IP, or `[:resolve "host"]`). */
  wavuIp: string;
  publicUrl: string;
  expiredPool: string;
}

/** Where a fresh expired pool is put; an existing pool of that name keeps its ranges. */
const EXPIRED_RANGE = { ranges: '10.99.0.10-10.99.0.250', gateway: '10.99.0.1' };
const PROXY_PORT = 8118;

export function pppScriptLines(i: PppScriptInput, step: () => string): string[] {
  const C = rscString('Wavu');
  const X = rscString('Wavu expired');
  const pool = rscString(i.expiredPool);
  const url = new URL(i.publicUrl);
  const lines: string[] = [''];
  const add = (...l: string[]) => lines.push(...l);
  if (i.mode === 'radius') {
    add(
      `${step()} PPPoE subscribers: PPP logins ask Wavu too, and report usage (the RADIUS entry above serves`,
      '#    ppp as well as hotspot). The interim interval in each Accept is what the router uses.',
      '/ppp aaa set use-radius=yes accounting=yes interim-update=5m',
    );
  } else {
    add(
      `${step()} PPPoE subscribers: Wavu writes their /ppp secret entries (comment "wavu-sub:…") and moves`,
      '#    one who has not paid to the expired profile below.',
    );
  }
  add(
    '',
    `${step()} The expired pool (setting ppp_expired_pool): a subscriber who has not paid gets an address here`,
    '#    and reaches only Wavu; web pages open the pay page.',
    `:if ([:len [/ip pool find name=${pool}]] = 0) do={ /ip pool add name=${pool} ranges=${EXPIRED_RANGE.ranges} comment=${C} }`,
  );
  if (i.mode === 'api') {
    add(
      `:if ([:len [/ppp profile find name=${pool}]] = 0) do={ /ppp profile add name=${pool} local-address=${EXPIRED_RANGE.gateway} remote-address=${pool} comment=${C} }`,
    );
  }
  // Three rules, each put first: added in reverse, so the order is accept Wavu, accept DNS, drop.
  const filters = [
    `chain=forward src-address-list=wavu-expired action=drop comment=${X}`,
    `chain=forward src-address-list=wavu-expired protocol=udp dst-port=53 action=accept comment=${X}`,
    `chain=forward src-address-list=wavu-expired dst-address=${i.wavuIp} action=accept comment=${X}`,
  ];
  const proxyGuard = `chain=input protocol=tcp dst-port=${PROXY_PORT} src-address-list=!wavu-expired action=drop comment=${X}`;
  add(
    `/ip firewall address-list remove [find comment=${X}]`,
    `:foreach r in=[/ip pool get [find name=${pool}] ranges] do={ /ip firewall address-list add list=wavu-expired address=$r comment=${X} }`,
    `/ip firewall filter remove [find comment=${X}]`,
    ...filters.map(
      (f) => `:do { /ip firewall filter add ${f} place-before=0 } on-error={ /ip firewall filter add ${f} }`,
    ),
    '# The proxy port takes only what NAT sends it from the pool, and answers every request with a',
    '# redirect to the pay page (RouterOS: a deny rule with redirect-to).',
    `/ip proxy set enabled=yes port=${PROXY_PORT}`,
    `/ip proxy access remove [find comment=${X}]`,
    `/ip proxy access add local-port=${PROXY_PORT} action=deny redirect-to=${rscString(`${url.protocol}//${url.host}/pay`)} comment=${X}`,
    `:do { /ip firewall filter add ${proxyGuard} place-before=0 } on-error={ /ip firewall filter add ${proxyGuard} }`,
    `/ip firewall nat remove [find comment=${X}]`,
    `/ip firewall nat add chain=dstnat src-address-list=wavu-expired dst-address=!${i.wavuIp} protocol=tcp dst-port=80 action=redirect to-ports=${PROXY_PORT} comment=${X}`,
  );
  return lines;
}
