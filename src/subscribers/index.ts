/**
 * PPPoE subscribers: monthly or weekly home and business internet. Other features (payments,
 * RADIUS, the gateways' sync job) import from here only.
 */
export { closeSubscriber } from './close-subscriber.ts';
export { changeSubscriberPlan, type PlanChangeResult, previewPlanChange } from './change-plan.ts';
export { createServicePlan } from './create-service-plan.ts';
export { createSubscriber } from './create-subscriber.ts';
export { deleteServicePlan } from './delete-service-plan.ts';
export { type ImportSubscribersResult, importSubscribers } from './import-subscribers.ts';
export { parseSubscriberImport } from './parse-import.ts';
export {
  type CreateSubscriberInput,
  createSubscriberInput,
  type ListSubscribersQuery,
  listSubscribersQuery,
  SUBSCRIBER_STATES,
  type ServicePlanInput,
  type ServicePlanPatch,
  type SubscriberState,
  servicePlanInput,
  servicePlanPatch,
  type UpdateSubscriberInput,
  updateSubscriberInput,
} from './input.ts';
export { listServicePlans } from './list-service-plans.ts';
export { listSubscribers } from './list-subscribers.ts';
export { addPeriods, type BillingPeriod, periodLengthMs, splitPayment } from './periods.ts';
export { type PlanChangeQuote, quotePlanChange } from './proration.ts';
export { findServicePlan, type ServicePlan, type SubscriberView } from './repo.ts';
export { type SubscriberReport, subscriberReport } from './report.ts';
export { resendSubscriber } from './resend-subscriber.ts';
export { resumeSubscriber } from './resume-subscriber.ts';
export {
  type PppSession,
  type SubscriberDetail,
  type SubscriberPayment,
  showSubscriber,
} from './show-subscriber.ts';
export { suspendSubscriber } from './suspend-subscriber.ts';
export { updateServicePlan } from './update-service-plan.ts';
export { updateSubscriber } from './update-subscriber.ts';
export { type AppliedPayment, applySubscriptionPayment } from './apply-payment.ts';
export {
  amountDue,
  normalizeAccountNo,
  subscriberByAccount,
  subscriberForPaying,
  type SubscriberForPaying,
} from './amount-due.ts';
export { formatDueDate } from './due-format.ts';
export { isPppRequest, type PppReply, type PppRequest, pppAccess } from './ppp-access.ts';
export { closePppSessionsOnNasRestart, isPppAccounting, pppAccounting } from './ppp-accounting.ts';
export { enforceDueDates } from './ppp-enforce.ts';
export { ENFORCE_JOB, FAIR_USE_JOB, REMIND_DUE_JOB, SYNC_JOB } from './job-kinds.ts';
export { type PppPollResult, syncPolledPppSessions } from './ppp-poll.ts';
export {
  DEFAULT_INTERIM_SECONDS,
  DEFAULT_REMIND_DAYS,
  INTERIM_SETTING,
  REMIND_DAYS_SETTING,
} from './ppp-rules.ts';
export { syncSubscriber } from './ppp-sync.ts';
export {
  type OverdueActive,
  type UnledgeredPurchase,
  creditUnledgeredPurchase,
  overdueActiveSubscribers,
  unledgeredSubscriptionPurchases,
} from './ledger-gaps.ts';
export { type SubscriberSupportFacts, subscriberSupportFacts } from './support-facts.ts';
