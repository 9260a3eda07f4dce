/** The access feature's public surface: other features import from here only. */
export { type AccessDecision, authorizeCode, authorizeMac } from './authorize.ts';
export { formatCode, generateAccessCode, hashCode, looksLikeCode, maskCode, normalizeCode } from './codes.ts';
export { type ExtendResult, extendCode, MAX_EXTEND_MINUTES } from './extend-code.ts';
export {
  deleteCodesOfBatch,
  heldCodesOfBatch,
  retermUnusedOfBatch,
  revokeUnusedOfBatch,
} from './batch-codes.ts';
export { freeDeviceSlot } from './free-device.ts';
export { enqueueGrantIfApi } from './grant.ts';
export {
  countGuess,
  type GuessScope,
  type GuessTicket,
  guessFailed,
  guessSucceeded,
  peekGuess,
  startGuess,
} from './guessing.ts';
export { issueForPurchase } from './issue-for-purchase.ts';
export { macHasLiveCode } from './mac-has-live-code.ts';
export { recoverAccess } from './recover.ts';
export { redeemCode } from './redeem.ts';
export { revokeCode } from './revoke.ts';
export { type UsageInput, recordUsage, recordUsageMany, settleUsage } from './usage.ts';
export { voucherStock } from './sell-voucher.ts';
export { voucherPasswordByCode, voucherPasswordById } from './voucher-password.ts';
