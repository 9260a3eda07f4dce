/** The audit log. */
import { listAudit, listAuditQuery } from '../../audit/index.ts';
import { route } from './route.ts';

export const auditRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/audit',
    tag: 'audit',
    summary: 'The audit log, newest first',
    query: listAuditQuery,
    handler: ({ deps, query }) => listAudit(deps, query),
  }),
];
