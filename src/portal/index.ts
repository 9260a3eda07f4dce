/** The portal feature's public surface: what the app's wiring mounts. */
export { portalModule } from './module.ts';
