/** The pay page's strings (src/portal/routes/pay.ts), English and Kiswahili, kept apart from the hotspot's. */
import type { Lang } from './index.ts';

const en = {
  title: 'Pay for your internet',
  accountLabel: 'Account number',
  accountHint: 'As on your SMS or bill, e.g. W1001',
  find: 'Continue',
  noAccount: 'There is no account with that number. Check it and try again.',
  name: 'Name',
  plan: 'Plan',
  due: 'Due date',
  expired: 'Your internet is paused until you pay.',
  balance: 'Balance',
  amountDue: 'Amount to pay',
  ownPhone: (p: string) => `Send the request to ${p}`,
  otherPhone: 'Another M-Pesa number',
  payNow: (amount: string) => `Pay ${amount} with M-Pesa`,
  errPhone: 'Enter a Safaricom M-Pesa number, like 0712 345 678.',
  errBusy:
    'A payment request is already waiting on this phone. Finish it on the phone, or wait a minute and try again.',
  paid: 'Paid, thank you',
  paidText: (due: string) => `Your internet is paid up to ${due}.`,
  paidBalance: (amount: string) => `Kept on your account for next time: ${amount}.`,
  receiptSms: 'A receipt is on its way by SMS.',
  tryAgain: 'Try again',
  orPaybill: (paybill: string, account: string) =>
    `Or pay from the M-Pesa menu: Paybill ${paybill}, account ${account}.`,
};

export type PayDict = typeof en;

const sw: PayDict = {
  title: 'Lipia intaneti yako',
  accountLabel: 'Nambari ya akaunti',
  accountHint: 'Kama kwenye SMS au bili yako, mfano W1001',
  find: 'Endelea',
  noAccount: 'Hakuna akaunti yenye nambari hiyo. Iangalie ujaribu tena.',
  name: 'Jina',
  plan: 'Kifurushi',
  due: 'Tarehe ya malipo',
  expired: 'Intaneti yako imesimamishwa hadi ulipe.',
  balance: 'Salio',
  amountDue: 'Kiasi cha kulipa',
  ownPhone: (p: string) => `Tuma ombi kwa ${p}`,
  otherPhone: 'Nambari nyingine ya M-Pesa',
  payNow: (amount: string) => `Lipa ${amount} kwa M-Pesa`,
  errPhone: 'Weka nambari ya Safaricom M-Pesa, kama 0712 345 678.',
  errBusy:
    'Ombi la malipo tayari linasubiri kwenye simu hii. Limalize kwenye simu, au subiri dakika moja ujaribu tena.',
  paid: 'Imelipwa, asante',
  paidText: (due: string) => `Intaneti yako imelipiwa hadi ${due}.`,
  paidBalance: (amount: string) => `Imehifadhiwa kwenye akaunti yako kwa wakati ujao: ${amount}.`,
  receiptSms: 'Risiti inakuja kwa SMS.',
  tryAgain: 'Jaribu tena',
  orPaybill: (paybill: string, account: string) =>
    `Au lipa kupitia menyu ya M-Pesa: Paybill ${paybill}, akaunti ${account}.`,
};

export const payDict = (lang: Lang): PayDict => (lang === 'sw' ? sw : en);
