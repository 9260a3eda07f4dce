/** The payments feature's public surface: other features import from here only. */
export { getPurchase } from './get-purchase.ts';
export { purchaseForRetry } from './purchase-for-retry.ts';
export { staffMeaning } from './result-codes.ts';
export { type CashSaleResult, codeSms, recordCashSale } from './record-cash-sale.ts';
export { startPurchase } from './start-purchase.ts';
export { RETRYABLE_STATUSES } from './status.ts';
export { callbackUrls, createAccountDarajas, DARAJA_HOSTS, darajaBaseUrl, mpesaMissing } from './daraja.ts';
export {
  type AccountSettings,
  accountOrDefault,
  createLiveAccounts,
  type LiveAccounts,
  receivingShortcode,
} from './accounts/live.ts';
export { accountByShortcode, accountForRouter, ourShortcodes } from './accounts/index.ts';
export {
  safaricomCertificate,
  startStatusCheck,
  type StartCheckResult,
  statusCheckReadiness,
} from './transaction-status/index.ts';
export { pullRecentPayments, registerPull } from './pull/pull-payments.ts';
export { explainDarajaError } from './explain-daraja.ts';
export { creditReceivedPayment } from './credit-received-payment.ts';
