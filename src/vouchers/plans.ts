/**
 * Kept only for `sell-for-cash.ts`, which is being replaced by the one cash sale; plans live in
 * `src/plans/`. Delete this file with it.
 */
export { getPlan } from '../plans/index.ts';
