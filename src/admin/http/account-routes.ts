/** Payment accounts (several Paybills or Tills) and their Test / Register URLs / Pull buttons. */
import { z } from 'zod';
import { idParam } from '../../http/paging.ts';
import { registerPull } from '../../payments/index.ts';
import {
  accountInput,
  accountPatch,
  createPaymentAccount,
  listPaymentAccounts,
  updatePaymentAccount,
} from '../payment-accounts/manage-accounts.ts';
import { registerMpesaUrls, testMpesa } from '../settings/check-settings.ts';
import { route } from './route.ts';

export const accountRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/payment-accounts',
    tag: 'payment-accounts',
    summary: 'M-Pesa accounts with their routers and sites (secrets only as "set" flags)',
    handler: async ({ deps }) => ({ items: await listPaymentAccounts(deps) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/payment-accounts',
    tag: 'payment-accounts',
    summary: 'Add a Paybill or Till account',
    body: accountInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createPaymentAccount(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/payment-accounts/:id',
    tag: 'payment-accounts',
    summary: 'Change an account, its routers and sites; secrets: a value sets, absent keeps',
    params: idParam,
    body: accountPatch,
    handler: ({ deps, params, body, actor, ip }) => updatePaymentAccount(deps, params.id, body, actor, ip),
  }),
  route({
    method: 'POST',
    path: '/api/admin/payment-accounts/:id/test',
    tag: 'payment-accounts',
    summary: "Fetch a Daraja token with this account's credentials; the answer in plain words",
    params: idParam,
    handler: ({ deps, params }) => testMpesa(deps, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/admin/payment-accounts/:id/register-urls',
    tag: 'payment-accounts',
    summary: "Register the C2B URLs for this account's shortcode; the answer in plain words",
    params: idParam,
    handler: ({ deps, params }) => registerMpesaUrls(deps, params.id),
  }),
  route({
    method: 'POST',
    path: '/api/admin/payment-accounts/:id/pull',
    tag: 'payment-accounts',
    summary: 'Register this account for Pull Transactions',
    params: idParam,
    body: z.object({
      nominatedNumber: z.string().regex(/^2547\d{8}$|^2541\d{8}$/, 'a number like 2547XXXXXXXX'),
    }),
    handler: ({ deps, params, body, actor, ip }) =>
      registerPull(deps, { ...body, accountId: params.id }, actor, ip),
  }),
];
