/** `wavu sim routeros`: a simulated MikroTik on its own, to try Wavu (or any RouterOS tool) without hardware. */
import { readFileSync } from 'node:fs';
import { parse, UsageError } from '../../cli/command.ts';
import { randomToken } from '../../lib/random.ts';
import type { SimEntry } from '../entry.ts';
import { runAgentRouter } from './agent-cli.ts';
import { startRouterOsSim } from './index.ts';

const USAGE = `wavu sim routeros [options]

A simulated MikroTik router: RouterOS API, v7 REST and hotspot login pages over one in-memory
hotspot (users, profiles, sessions, ip-bindings, walled garden).

Options:
  --port N            API port (default 8728; 0 picks a free one)
  --http-port N       REST (/rest/...) and hotspot login pages (default 8080; 0 picks one)
  --host ADDRESS      listen address (default 127.0.0.1)
  --user NAME         management user (default wavu)
  --password TEXT     its password (default: generated and printed)
  --version X.Y.Z     RouterOS version to emulate (default 7.19.4). Below 6.43 the old MD5
                      login is used; 7.18 and later send !empty for empty results
  --identity NAME     /system identity (default MikroTik)
  --tls-port N --tls-cert FILE --tls-key FILE    also serve API-SSL

Agent-only router (a MikroTik Wavu cannot dial): no API or web port at all; it runs the agent
script Wavu prints and polls Wavu.
  --agent-script FILE   the output of: wavu routers script NAME --agent-only --token TOKEN
  --state FILE          keep the configuration here across restarts (the router's flash)
  --ca FILE             certificates the router trusts for check-certificate=yes
  --poll-every-ms N     run the scheduler this often instead of its interval
  Control on stdin, one per line: join MAC IP | login USER PASSWORD MAC IP |
  traffic MAC IN OUT | poll | users | active   (each answers one line: OK/ERR/JSON)

Faults while it runs:  curl -X POST -d mode=down http://HOST:HTTP_PORT/_sim/fault
  (modes: none, down, slow, reboot, reset)

Add it to Wavu:  wavu routers add sim --mode api --host 127.0.0.1 --port 8728 --password TEXT`;

export const routerosSimEntry: SimEntry = {
  name: 'routeros',
  summary: 'A MikroTik router: RouterOS API, REST and hotspot login',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, {
      port: { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      version: { type: 'string' },
      identity: { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'agent-script': { type: 'string' },
      state: { type: 'string' },
      ca: { type: 'string' },
      'poll-every-ms': { type: 'string' },
    });
    if (values['agent-script']) {
      return runAgentRouter({
        script: readFileSync(values['agent-script'], 'utf8'),
        statePath: values.state,
        ca: values.ca ? readFileSync(values.ca) : undefined,
        pollEveryMs: values['poll-every-ms'] ? Number(values['poll-every-ms']) : undefined,
        version: values.version,
        identity: values.identity,
      });
    }
    const num = (v: string | undefined, def: number, what: string) => {
      if (v === undefined) return def;
      if (!/^\d+$/.test(v) || Number(v) > 65535)
        throw new UsageError(`--${what} must be a port number (0–65535); see wavu sim routeros --help`);
      return Number(v);
    };
    if (values.version && !/^\d+\.\d+(\.\d+)?$/.test(values.version))
      throw new UsageError('--version looks like 7.19.4');
    const tlsWanted = values['tls-port'] || values['tls-cert'] || values['tls-key'];
    if (tlsWanted && !(values['tls-cert'] && values['tls-key']))
      throw new UsageError('TLS needs both --tls-cert and --tls-key');
    const user = values.user ?? 'wavu';
    const password = values.password ?? randomToken(12);
    const sim = await startRouterOsSim({
      host: values.host ?? '127.0.0.1',
      apiPort: num(values.port, 8728, 'port'),
      httpPort: num(values['http-port'], 8080, 'http-port'),
      users: [{ name: user, password }],
      ...(values.version ? { version: values.version } : {}),
      ...(values.identity ? { identity: values.identity } : {}),
      ...(tlsWanted
        ? {
            tls: {
              key: readFileSync(values['tls-key']!),
              cert: readFileSync(values['tls-cert']!),
              port: num(values['tls-port'], 8729, 'tls-port'),
            },
          }
        : {}),
    });
    const host = values.host ?? '127.0.0.1';
    process.stdout.write(
      [
        '',
        `  Simulated MikroTik "${sim.router.identity}" (RouterOS ${sim.router.version})`,
        `  API        ${host}:${sim.apiPort}${sim.tlsPort ? `   API-SSL ${host}:${sim.tlsPort}` : ''}`,
        `  REST       http://${host}:${sim.httpPort}/rest`,
        `  Hotspot    http://${host}:${sim.httpPort}/login`,
        `  Login      user ${user}, password ${password}`,
        '',
        `  Add to Wavu: wavu routers add sim --mode api --host ${host} --port ${sim.apiPort} --username ${user} --password ${password}`,
        '  Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await sim.stop();
    return 0;
  },
};
