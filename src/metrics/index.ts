/** The metrics feature's public surface. */
export { readDbSnapshot } from './db-gauges.ts';
export { type DbSnapshot, Metrics, type PaymentChannel, type RadiusRequestType } from './registry.ts';
