export * from './callbacks.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './time.ts';
export * from './url-rules.ts';
export * from './security-credential.ts';
