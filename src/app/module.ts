import type { FastifyInstance } from 'fastify';
import type { JobDefinition, RecurringJob } from '../jobs/types.ts';
import type { Deps } from './deps.ts';

export type Role = 'serve' | 'worker' | 'radius';

/**
 * A feature plugs into the app through one of these: its HTTP routes, its job handlers and
 * schedules, and anything long-running it needs in a given role (e.g. the RADIUS sockets).
 */
export interface Module {
  name: string;
  routes?(app: FastifyInstance, deps: Deps): Promise<void> | void;
  jobs?(deps: Deps): JobDefinition[];
  recurring?(deps: Deps): RecurringJob[];
  /** Started in the listed roles; returns a stop function for graceful shutdown. */
  services?: { roles: Role[]; start(deps: Deps): Promise<() => Promise<void>> }[];
  /** Only mounted in demo mode (simulators). Production never mounts these. */
  demoOnly?: boolean;
}
