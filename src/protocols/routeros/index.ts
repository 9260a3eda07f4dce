export * from './codec.ts';
export * from './errors.ts';
export * from './login.ts';
export * from './types.ts';
export { RouterOsClient, type RouterOsClientOptions } from './client.ts';
export { RouterOsRestClient, type RouterOsRestOptions } from './rest.ts';
export * from './values.ts';
