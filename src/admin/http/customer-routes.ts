/** Customers, their reminder opt-out and their CSV export. */
import { z } from 'zod';
import { setReminderOptOut } from '../../notify/index.ts';
import { customerParam, getCustomer, listCustomers, listCustomersQuery } from '../customers/customers.ts';
import { exportCustomers } from '../exports.ts';
import { route } from './route.ts';

export const customerRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/customers',
    tag: 'customers',
    summary:
      'Customers: every phone bought from (M-Pesa or cash) or texted a code, with spend, codes and last seen; q = phone (or part of one) or name',
    query: listCustomersQuery,
    handler: ({ deps, query }) => listCustomers(deps, query),
  }),
  route({
    method: 'GET',
    path: '/api/admin/customers/:id',
    tag: 'customers',
    summary: 'One customer (id = the phone) with recent purchases and codes',
    params: customerParam,
    handler: ({ deps, params }) => getCustomer(deps, params.id),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/customers/:id/reminders',
    tag: 'customers',
    summary: 'Switch expiry reminder texts off (remindersOff: true) or back on for a phone',
    params: customerParam,
    body: z.object({ remindersOff: z.boolean() }),
    handler: ({ deps, params, body, actor, ip }) =>
      setReminderOptOut(deps, { phone: params.id, optedOut: body.remindersOff, source: 'staff', actor, ip }),
  }),
  route({
    method: 'GET',
    path: '/api/admin/exports/customers.csv',
    tag: 'exports',
    summary: 'Customers as CSV, streamed',
    produces: 'text/csv',
    handler: async ({ deps, reply }) => {
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="customers.csv"');
      return reply.send(exportCustomers(deps));
    },
  }),
];
