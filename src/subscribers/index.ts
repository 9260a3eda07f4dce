/** The subscribers feature's public surface (PPP access: what the radius feature and the wiring use). */
export { isPppRequest, type PppReply, type PppRequest, pppAccess } from './ppp-access.ts';
export { isPppAccounting, pppAccounting } from './ppp-accounting.ts';
export { pppModule } from './ppp-module.ts';
export { ENFORCE_JOB, enforceDueDates } from './ppp-enforce.ts';
export { SYNC_JOB, syncSubscriber } from './ppp-sync.ts';
