/**
 * Kept only for `payments/record-cash-sale.ts`, which is being rewritten; branding lives in
 * `src/branding/`. Delete this file once that import moves.
 */
export { loadBranding as getBranding } from '../branding/index.ts';
