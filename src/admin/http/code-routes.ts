/** Access codes: the list, one code, revoking. */
import { z } from 'zod';
import { revokeCode } from '../../access/index.ts';
import { getCode, listCodes, listCodesQuery } from '../codes/list-codes.ts';
import { mayReadCodes } from '../policy.ts';
import { uuidParam } from '../../http/paging.ts';
import { route } from './route.ts';

export const codeRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/codes',
    tag: 'codes',
    summary:
      'Access codes and vouchers with batch and phone. q = a code (as typed) or a phone; codes are masked for roles that may not print them',
    query: listCodesQuery,
    handler: ({ deps, query, admin }) => listCodes(deps, query, mayReadCodes(admin?.role ?? null)),
  }),
  route({
    method: 'GET',
    path: '/api/admin/codes/:id',
    tag: 'codes',
    summary: 'One access code with its devices and sessions',
    params: uuidParam,
    handler: ({ deps, params, admin }) => getCode(deps, params.id, mayReadCodes(admin?.role ?? null)),
  }),
  route({
    method: 'POST',
    path: '/api/admin/codes/:id/revoke',
    tag: 'codes',
    summary: 'Revoke a code and take it off every router (gateway.revoke), in one transaction',
    params: uuidParam,
    body: z.object({ reason: z.string().trim().max(200).optional() }),
    handler: ({ deps, params, body, actor, ip }) =>
      revokeCode(deps, {
        accessCodeId: params.id,
        reason: body.reason,
        actor,
        ip,
      }),
  }),
];
