/** The sim feature's public surface: what the app's wiring mounts. */
export { darajaSimModule } from './daraja/module.ts';
export { routerosSimModule } from './routeros/module.ts';
export { SimSmsGateway } from './sms-gateway.ts';
export { simSmsModule } from './sms-module.ts';
