/** The one map from stored router errors (as our clients word them) to what staff read. */
import { describe, expect, it } from 'vitest';
import { routerProblem } from '../../src/gateways/routers/problem.ts';

const r = {
  name: 'wavu-1',
  mode: 'api',
  host: '10.0.0.1',
  apiPort: null,
  apiTransport: 'api',
  username: 'wavu',
};

describe('routerProblem', () => {
  it.each([
    [
      'cannot connect to 10.0.0.1:8728: connect ECONNREFUSED 10.0.0.1:8728',
      /can't reach the router at 10\.0\.0\.1:8728 — is the api service enabled/,
    ],
    ['no answer from 10.0.0.1:8728 within 5000 ms', /does not answer/],
    ['cannot connect to 10.0.0.1:8728: connect ETIMEDOUT 10.0.0.1:8728', /does not answer/],
    ['cannot connect to 10.0.0.1:8728: connect EHOSTUNREACH 10.0.0.1:8728', /behind NAT/],
    ['cannot connect to 10.0.0.1:8728: getaddrinfo ENOTFOUND 10.0.0.1', /can't find the address/],
    ['cannot connect to 10.0.0.1:8729: self-signed certificate', /secure connection failed/],
    [
      'cannot reach 10.0.0.1 (REST GET /rest/ip/hotspot/active): certificate does not match the pinned fingerprint (got AB:CD)',
      /not the one Wavu was told to trust/,
    ],
    [
      'login to 10.0.0.1 refused: invalid user name or password (6)',
      /refused Wavu's login as "wavu".*wavu routers script wavu-1/,
    ],
    ['connection to 10.0.0.1 failed: read ECONNRESET', /dropped the connection/],
    ['something nobody foresaw: EWEIRD', /can't talk to the router right now/],
  ])('%s', (raw, want) => {
    const said = routerProblem(r, raw)!;
    expect(said).toMatch(want);
    expect(said).not.toMatch(/E[A-Z]{4,}|getaddrinfo|\(\d+\)/);
  });

  it('names the TLS and REST ports and services', () => {
    expect(routerProblem({ ...r, apiTransport: 'api-tls' }, 'connect ECONNREFUSED')).toContain(
      '10.0.0.1:8729 — is the api-ssl service',
    );
    expect(
      routerProblem({ ...r, host: 'https://10.0.0.1', apiTransport: 'rest' }, 'connect ECONNREFUSED'),
    ).toContain('10.0.0.1:443 — is the www-ssl service');
    expect(routerProblem(r, null)).toBeNull();
  });
});
