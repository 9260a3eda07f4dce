/** The notify feature's public surface: other features import from here only. */
export { SmsError, type SmsProvider } from './provider.ts';
export { queueSms, smsSql } from './queue-sms.ts';
export { type SmsLang, renderSms } from './templates.ts';
export { isOptedOut, setReminderOptOut } from './opt-out.ts';
export type { ReminderVars } from './templates.ts';
export type { DueReminderVars, SubscriptionReceiptVars } from './templates.ts';
