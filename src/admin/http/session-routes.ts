/** Live sessions and disconnecting one. */
import { uuidParam } from '../../http/paging.ts';
import { disconnectSession } from '../sessions/disconnect-session.ts';
import { listSessions, listSessionsQuery } from '../sessions/list-sessions.ts';
import { route } from './route.ts';

export const sessionRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/sessions',
    tag: 'sessions',
    summary:
      'Sessions (live by default); q = MAC, IP or username. The first page of live ones also enqueues a poll of api-mode routers (not awaited)',
    query: listSessionsQuery,
    handler: ({ deps, query }) => listSessions(deps, query),
  }),
  route({
    method: 'POST',
    path: '/api/admin/sessions/:id/disconnect',
    tag: 'sessions',
    summary: 'Disconnect a live session (gateway.disconnect)',
    params: uuidParam,
    handler: ({ deps, params, actor, ip }) => disconnectSession(deps, { sessionId: params.id, actor, ip }),
  }),
];
