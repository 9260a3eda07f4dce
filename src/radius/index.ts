/** The radius feature's public surface: what the app's wiring mounts. */
export { radiusGatewayMode, radiusModule } from './module.ts';
