/** The subscribers feature's public surface: other features import from here only. */
export { type AppliedPayment, applySubscriptionPayment, SUBSCRIBER_SYNC_JOB } from './apply-payment.ts';
export {
  amountDue,
  normalizeAccountNo,
  periodsDue,
  subscriberByAccount,
  subscriberForPaying,
  type SubscriberForPaying,
} from './amount-due.ts';
export { formatDueDate } from './due-format.ts';
