/** The subscribers feature's public surface: other features import from here only. */
export { type AppliedPayment, applySubscriptionPayment } from './apply-payment.ts';
export {
  amountDue,
  normalizeAccountNo,
  periodsDue,
  subscriberByAccount,
  subscriberForPaying,
  type SubscriberForPaying,
} from './amount-due.ts';
export { formatDueDate } from './due-format.ts';
export { isPppRequest, type PppReply, type PppRequest, pppAccess } from './ppp-access.ts';
export { isPppAccounting, pppAccounting } from './ppp-accounting.ts';
export { ENFORCE_JOB, enforceDueDates } from './ppp-enforce.ts';
export { pppModule } from './ppp-module.ts';
export { SYNC_JOB } from './ppp-rules.ts';
export { syncSubscriber } from './ppp-sync.ts';
