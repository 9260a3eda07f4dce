/** Plans: the packages on sale. */
import { idParam } from '../../http/paging.ts';
import { createPlan, deletePlan, listPlans, planInput, planPatch, updatePlan } from '../../plans/index.ts';
import { route } from './route.ts';

export const planRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/plans',
    tag: 'plans',
    summary: 'All plans, in portal order',
    handler: async ({ deps }) => ({ items: await listPlans(deps.db) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/plans',
    tag: 'plans',
    summary: 'Create a plan',
    body: planInput,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createPlan(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/plans/:id',
    tag: 'plans',
    summary: 'Change a plan (only the fields sent)',
    params: idParam,
    body: planPatch,
    handler: ({ deps, params, body, actor, ip }) => updatePlan(deps, params.id, body, actor, ip),
  }),
  route({
    method: 'DELETE',
    path: '/api/admin/plans/:id',
    tag: 'plans',
    summary: 'Delete a plan, or retire it (hide it) when anything was sold on it',
    params: idParam,
    handler: ({ deps, params, actor, ip }) => deletePlan(deps, params.id, actor, ip),
  }),
];
