/**
 * RADIUS as a feature: the UDP server in the `radius` role (`wavu radius`, `wavu start`) and the
 * stale-session sweeper in the worker. Ports come from RADIUS_AUTH_PORT / RADIUS_ACCT_PORT
 * (0 disables that port).
 */
import type { Module } from '../app/module.ts';
import { INTERIM_SECONDS } from '../gateways/index.ts';
import { coaUnreachableRouters, RadiusGatewayAdapter } from './adapter.ts';
import { sweepStaleSessions } from './sweep.ts';
import { handler } from '../jobs/define.ts';
import { COA_PROBE_JOB, SWEEP_JOB } from './job-kinds.ts';

export const STALE_FACTOR = 3;
export { COA_PROBE_JOB, SWEEP_JOB } from './job-kinds.ts';
/** How often a router whose CoA port is marked unreachable is asked again. */
export const COA_PROBE_EVERY_MS = 10 * 60_000;

export const radiusModule: Module = {
  name: 'radius',
  services: [
    {
      roles: ['radius'],
      async start(deps) {
        // The server is loaded by the radius role only; the worker runs the jobs below.
        const { startRadiusService } = await import('./service.ts');
        const server = await startRadiusService(deps);
        if (server.authPort !== null || server.acctPort !== null)
          deps.log.info({ authPort: server.authPort, acctPort: server.acctPort }, 'RADIUS listening');
        return () => server.stop();
      },
    },
  ],
  jobs: (deps) => [
    handler(SWEEP_JOB, async () => {
      await sweepStaleSessions(deps, INTERIM_SECONDS * STALE_FACTOR);
    }),
    // One packet per marked router; an answer clears the mark (see adapter.ts).
    handler(COA_PROBE_JOB, async () => {
      for (const r of await coaUnreachableRouters(deps))
        await new RadiusGatewayAdapter(deps, r).probe().catch((e) => {
          deps.log.warn({ router: r.name, err: e }, 'CoA probe failed');
        });
    }),
  ],
  recurring: () => [
    { job: SWEEP_JOB, everyMs: 60_000 },
    { job: COA_PROBE_JOB, everyMs: COA_PROBE_EVERY_MS },
  ],
};
