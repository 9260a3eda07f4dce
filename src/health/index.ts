/** The health feature's public surface: what the app's wiring mounts. */
export { healthModule } from './module.ts';
