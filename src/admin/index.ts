/** The admin feature's public surface: other features import from here only. */
export type { Page } from '../http/paging.ts';
