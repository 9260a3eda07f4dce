/**
 * What is wrong with a router, in words an operator can act on. The stored error is whatever
 * the connection or the router said (`connect ECONNREFUSED 10.0.0.1:8728`, a TLS alert, a
 * refused login); staff never see that text, only the sentence this maps it to. Every place that
 * shows a router's problem (admin API, Routers page, the "Test connection" hint, the CLI) asks here.
 */
import { DEFAULT_PORTS } from '../connections.ts';

export interface ProblemRouter {
  name: string;
  mode: string;
  host: string | null;
  apiPort: number | null;
  apiTransport: string;
  username: string | null;
  /** 'wireguard' when Wavu dials the router through a tunnel it configured. */
  tunnel?: string | null;
  tunnelAddress?: string | null;
}

const SERVICE: Record<string, string> = { api: 'api', 'api-tls': 'api-ssl', rest: 'www-ssl' };

/** Ordered: the first pattern that matches the raw error names the problem. */
const RULES: { test: RegExp; say: (r: ProblemRouter, where: string, service: string) => string }[] = [
  {
    test: /ECONNREFUSED|connection refused/i,
    say: (_r, where, service) =>
      `Wavu can't reach the router at ${where} — is the ${service} service enabled (IP → Services) and the port open?`,
  },
  {
    test: /ETIMEDOUT|timed out|no answer|within \d+ ms|ESOCKETTIMEDOUT/i,
    say: (_r, where) =>
      `The router at ${where} does not answer. Is it switched on and online, and does a firewall let this server through?`,
  },
  {
    test: /EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL/i,
    say: (_r, where) =>
      `There is no network path from Wavu to ${where}. If the router is behind NAT (home fibre, 4G, Starlink), Wavu cannot dial it: use the agent or a WireGuard tunnel.`,
  },
  {
    test: /ENOTFOUND|EAI_AGAIN|getaddrinfo/i,
    say: (r) => `Wavu can't find the address "${r.host}". Check the router's host name.`,
  },
  {
    test: /fingerprint/i,
    say: () =>
      "The router's certificate is not the one Wavu was told to trust. If you replaced it, test the router again and pin the new fingerprint.",
  },
  {
    test: /certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number|handshake|alert/i,
    say: (_r, where, service) =>
      `Wavu reached ${where} but the secure connection failed. Check that the port is the router's ${service} service and that it has a certificate.`,
  },
  {
    test: /login|password|not logged in|refused user|401|invalid user/i,
    say: (r) =>
      `The router refused Wavu's login as "${r.username ?? 'admin'}". Run the setup script on the router again (wavu routers script ${r.name}), or fix the password in the router's settings.`,
  },
  {
    test: /not enough permissions|permission|policy|403/i,
    say: (r) =>
      `The router's user "${r.username ?? 'admin'}" may log in but lacks rights (it needs the api, read and write policies).`,
  },
  {
    test: /ECONNRESET|EPIPE|closed|socket hang up|fatal/i,
    say: (_r, where) =>
      `The router at ${where} dropped the connection. It may be rebooting or limiting API connections; Wavu will try again.`,
  },
  {
    test: /agent|offline|not reported|no report/i,
    say: () => "The router's agent has not reported in lately. Check that the router is online.",
  },
];

/** The plain-language problem for a stored error, or null when there is none. */
export function routerProblem(r: ProblemRouter, error: string | null | undefined): string | null {
  if (!error) return null;
  const port = r.apiPort ?? DEFAULT_PORTS[r.apiTransport as keyof typeof DEFAULT_PORTS];
  const host = r.tunnel === 'wireguard' ? r.tunnelAddress : r.host;
  const where = host ? `${host.replace(/^https?:\/\//, '')}${port ? `:${port}` : ''}` : 'its address';
  const service = SERVICE[r.apiTransport] ?? 'api';
  if (r.name === 'demo-router' && /ECONNREFUSED|closed|timed out|no answer/i.test(error)) {
    return 'demo-router is the simulated router inside the demo: it answers only while the demo (wavu start) is running.';
  }
  // Through a tunnel, "nothing answers" is almost always the tunnel, not the router's services.
  if (
    r.tunnel === 'wireguard' &&
    /ECONNREFUSED|ETIMEDOUT|timed out|no answer|EHOSTUNREACH|ENETUNREACH/i.test(error)
  ) {
    return `Nothing answered at ${r.tunnelAddress ?? 'its tunnel address'} through the WireGuard tunnel. Check that the server end is up with this router as a peer (wavu wireguard server-config; wg show should list a recent handshake) and that the router ran its setup script.`;
  }
  if (r.mode === 'unifi') {
    if (/API key/i.test(error))
      return "The UniFi controller rejected Wavu's API key. Make a new key in UniFi Network (Settings → Control Plane → Integrations) and add the site again with it.";
    if (/refused the login|refused the session/i.test(error))
      return `The UniFi controller refused Wavu's login as "${r.username ?? ''}". Check the local account's password, or use an API key.`;
    if (/rate limit/i.test(error))
      return 'The UniFi controller is rate limiting Wavu. Wavu waits as it asks and tries again.';
    if (/CSRF/i.test(error))
      return "The UniFi OS console refused Wavu's requests (CSRF token). Wavu logs in again on the next try; if this stays, check the account.";
  }
  if (/^OPNsense refused the API key/.test(error))
    return "OPNsense refused Wavu's API key and secret (HTTP 401), so Wavu can't end sessions there: revoked codes stay online until their Session-Timeout. Make a new key (System → Access → Users, the user's API keys) and set it on this router.";
  for (const rule of RULES) if (rule.test.test(error)) return rule.say(r, where, service);
  return "Wavu can't talk to the router right now. Test the connection from the router's settings for details.";
}
