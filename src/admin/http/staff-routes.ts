/** Staff accounts. */
import { idParam } from '../../http/paging.ts';
import {
  createStaff,
  createStaffBody,
  listStaff,
  patchStaffBody,
  updateStaff,
} from '../staff/manage-staff.ts';
import { route } from './route.ts';

export const staffRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/staff',
    tag: 'staff',
    summary: 'Staff accounts',
    handler: async ({ deps }) => ({ items: await listStaff(deps) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/staff',
    tag: 'staff',
    summary: 'Add a staff account',
    body: createStaffBody,
    handler: async ({ deps, body, actor, ip, reply }) => {
      reply.code(201);
      return createStaff(deps, body, actor, ip);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/admin/staff/:id',
    tag: 'staff',
    summary: 'Change role, disable/enable, reset password or unlock an account',
    params: idParam,
    body: patchStaffBody,
    handler: ({ deps, params, body, actor, ip }) => updateStaff(deps, params.id, body, actor, ip),
  }),
];
