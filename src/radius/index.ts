/** The radius feature's public surface: what the app's wiring mounts. */
export { radiusModule } from './module.ts';
