export * from './fas.ts';
