/** The operator's M-Pesa and SMS settings: storage, the precedence rule, the live copy per node. */
export * from './effective.ts';
export * from './live.ts';
export * from './store.ts';
