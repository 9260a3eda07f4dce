/**
 * The radius feature's public surface: the adapter the wiring adds to the gateway modes. Its
 * module is mounted by app/modules.ts, in the roles that have something to run.
 */
export { radiusGatewayMode } from './adapter.ts';
