export * from './auth.ts';
export * from './dictionary.ts';
export * from './packet.ts';
export * from './mschap.ts';
