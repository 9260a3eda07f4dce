/** PPPoE subscribers and their service plans. Subscribers are named by account number or username. */
import { z } from 'zod';
import { idParam } from '../../http/paging.ts';
import {
  changeSubscriberPlan,
  closeSubscriber,
  createServicePlan,
  createSubscriber,
  createSubscriberInput,
  deleteServicePlan,
  importSubscribers,
  listServicePlans,
  listSubscribers,
  listSubscribersQuery,
  previewPlanChange,
  resendSubscriber,
  resumeSubscriber,
  servicePlanInput,
  servicePlanPatch,
  showSubscriber,
  subscriberReport,
  suspendSubscriber,
  updateServicePlan,
  updateSubscriber,
  updateSubscriberInput,
} from '../../subscribers/index.ts';
import { route } from './route.ts';

const refParam = z.object({ id: z.string().trim().min(1).max(64) });
const reasonBody = z.object({ reason: z.string().trim().max(200).optional() }).default({});
const planRef = z.union([z.number().int().positive(), z.string().trim().min(1, 'Pick a plan').max(60)]);
export const planChangeBody = z.object({ plan: planRef });
export const planChangeQuery = z.object({ plan: z.string().trim().min(1, 'Pick a plan').max(60) });

export const importBody = z.object({
  text: z.string().min(1, 'The file is empty').max(2_000_000, 'At most 2 MB at a time'),
  router: z.string().trim().min(1).max(60).optional(),
  plan: z.string().trim().min(1).max(60).optional(),
  source: z.string().trim().max(200).optional(),
  dryRun: z.boolean().optional(),
});

export const subscriberRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/subscribers',
    tag: 'subscribers',
    summary: 'Subscribers, newest first (filters: state, due=week|overdue, router, q)',
    query: listSubscribersQuery,
    handler: ({ deps, query }) => listSubscribers(deps, query),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers',
    tag: 'subscribers',
    summary: 'Add a subscriber (account number generated; first period due now unless dueAt)',
    body: createSubscriberInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createSubscriber(deps, body, actor, ip);
    },
  }),
  route({
    method: 'GET',
    path: '/api/admin/subscribers/report',
    tag: 'subscribers',
    summary: 'Due this week, overdue, revenue per month and per plan, churn per month',
    query: z.object({ months: z.coerce.number().int().min(1).max(36).default(12) }),
    handler: ({ deps, query }) => subscriberReport(deps, query),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/import',
    tag: 'subscribers',
    summary: 'Import a CSV or a MikroTik /ppp secret export, all or nothing, with a report per line',
    body: importBody,
    handler: ({ deps, body, actor, ip }) => importSubscribers(deps, { ...body, actor, ip }),
  }),
  route({
    method: 'GET',
    path: '/api/admin/subscribers/:id',
    tag: 'subscribers',
    summary: 'One subscriber (account number or username) with payments and PPP sessions',
    params: refParam,
    handler: ({ deps, params }) => showSubscriber(deps, params.id),
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/subscribers/:id',
    tag: 'subscribers',
    summary: 'Change a subscriber (only the fields sent)',
    params: refParam,
    body: updateSubscriberInput,
    handler: ({ deps, params, body, actor, ip }) => updateSubscriber(deps, params.id, body, actor, ip),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/:id/suspend',
    tag: 'subscribers',
    summary: 'Suspend: the router rejects the subscriber until resumed',
    params: refParam,
    body: reasonBody,
    handler: ({ deps, params, body, actor, ip }) =>
      suspendSubscriber(deps, params.id, actor, ip, body.reason),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/:id/resume',
    tag: 'subscribers',
    summary: 'Resume a suspended subscriber (active, or expired when past due + grace)',
    params: refParam,
    handler: ({ deps, params, actor, ip }) => resumeSubscriber(deps, params.id, actor, ip),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/:id/resend',
    tag: 'subscribers',
    summary: 'Send the subscriber to the router again (re-queues the sync; changes nothing else)',
    params: refParam,
    handler: ({ deps, params, actor, ip }) => resendSubscriber(deps, params.id, actor, ip),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/:id/close',
    tag: 'subscribers',
    summary: 'Close the account (rejected by the router, kept for history)',
    params: refParam,
    body: reasonBody,
    handler: ({ deps, params, body, actor, ip }) => closeSubscriber(deps, params.id, actor, ip, body.reason),
  }),
  route({
    method: 'GET',
    path: '/api/admin/subscribers/:id/plan-change',
    tag: 'subscribers',
    summary: 'What a move to another plan would cost now (changes nothing)',
    params: refParam,
    query: planChangeQuery,
    handler: ({ deps, params, query }) => previewPlanChange(deps, params.id, query.plan),
  }),
  route({
    method: 'POST',
    path: '/api/admin/subscribers/:id/plan',
    tag: 'subscribers',
    summary: 'Move to another plan now, settling the days left (prorated)',
    params: refParam,
    body: planChangeBody,
    handler: ({ deps, params, body, actor, ip }) =>
      changeSubscriberPlan(deps, params.id, body.plan, actor, ip),
  }),
  route({
    method: 'GET',
    path: '/api/admin/service-plans',
    tag: 'subscribers',
    summary: 'Service plans in sort order (the first active one is the default)',
    handler: async ({ deps }) => ({ items: await listServicePlans(deps.db) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/service-plans',
    tag: 'subscribers',
    summary: 'Add a service plan',
    body: servicePlanInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createServicePlan(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/service-plans/:id',
    tag: 'subscribers',
    summary: 'Change a service plan (a new rate applies to its subscribers at once)',
    params: idParam,
    body: servicePlanPatch,
    handler: ({ deps, params, body, actor, ip }) => updateServicePlan(deps, params.id, body, actor, ip),
  }),
  route({
    method: 'DELETE',
    path: '/api/admin/service-plans/:id',
    tag: 'subscribers',
    summary: 'Delete a service plan, or retire it when anyone is on it',
    params: idParam,
    handler: ({ deps, params, actor, ip }) => deleteServicePlan(deps, params.id, actor, ip),
  }),
];
