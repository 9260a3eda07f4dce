/** The dashboard: revenue, sessions and payment health. */
import { z } from 'zod';
import { getDashboard } from '../dashboard/get-dashboard.ts';
import { route } from './route.ts';

export const dashboardRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/dashboard',
    tag: 'dashboard',
    summary:
      'Revenue per day/plan/router, sessions, payment success and result codes, payment-to-access time',
    query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
    handler: ({ deps, query }) => getDashboard(deps, query),
  }),
];
