/** What staff type for subscribers and service plans, checked once here for the API, CLI and imports. */
import { z } from 'zod';
import { phoneInput, whenSchema } from '../http/paging.ts';

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const usernameInput = z
  .string()
  .trim()
  .regex(USERNAME, 'Use letters, digits and . _ @ - (up to 64, starting with a letter or digit)');

/**
 * PPP passwords travel to the router in CHAP/MS-CHAPv2 and are typed into the customer's router,
 * so printable ASCII without spaces; at least 4 so a blank or a slip is not accepted.
 */
export const pppPasswordInput = z
  .string()
  .min(4, 'At least 4 characters')
  .max(64, 'At most 64 characters')
  .regex(/^[\x21-\x7e]+$/, 'Printable characters without spaces only');

const nullableText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? null : s))
    .nullable();

/** A router or plan named by id or by name, as both the form (id) and the CLI (name) say it. */
export const refInput = z.union([z.number().int().positive(), z.string().trim().min(1).max(60)]);

const staticIp = z
  .string()
  .trim()
  .transform((s) => (s === '' ? null : s))
  .refine((s) => s === null || IPV4.test(s), 'An IPv4 address like 10.20.0.15')
  .nullable();

export const createSubscriberInput = z.object({
  username: usernameInput,
  password: pppPasswordInput,
  name: nullableText(120).optional(),
  phone: phoneInput.nullable().optional(),
  /** Service plan id or name; default: the first active plan by sort order. */
  plan: refInput.optional(),
  /** Router id or name; or only a site when the subscriber may connect through several routers. */
  router: refInput.nullable().optional(),
  site: nullableText(60).optional(),
  staticIp: staticIp.optional(),
  /**
   * When the first payment is due. Default: now, so a new subscriber pays the first period at
   * once (and is online through the plan's grace days meanwhile). Someone moved from another
   * system who has paid already is given the date their paid time runs to.
   */
  dueAt: whenSchema.optional(),
  autoRenew: z.boolean().optional(),
});
export type CreateSubscriberInput = z.output<typeof createSubscriberInput>;

export const updateSubscriberInput = z
  .object({
    name: nullableText(120),
    phone: phoneInput.nullable(),
    password: pppPasswordInput,
    router: refInput.nullable(),
    site: nullableText(60),
    staticIp,
    dueAt: whenSchema,
    autoRenew: z.boolean(),
  })
  .partial();
export type UpdateSubscriberInput = z.output<typeof updateSubscriberInput>;

export const SUBSCRIBER_STATES = ['active', 'suspended', 'expired', 'disconnected'] as const;
export type SubscriberState = (typeof SUBSCRIBER_STATES)[number];

export const listSubscribersQuery = z.object({
  state: z.enum(SUBSCRIBER_STATES).optional(),
  /** `week`: due in the next 7 days; `overdue`: past the due date and not yet paid. */
  due: z.enum(['week', 'overdue']).optional(),
  router: z.coerce.number().int().positive().optional(),
  /** Account number, username, name or phone, or part of one. */
  q: z.string().trim().max(60).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListSubscribersQuery = z.output<typeof listSubscribersQuery>;

const kbps = z.number().int().positive().max(10_000_000);

// Without defaults: a patch must leave out what it does not change (zod applies a default even
// to an optional field), so the defaults are added for creation only.
const servicePlanFields = z.object({
  name: z.string().trim().min(1, 'Give the plan a name').max(60),
  period: z.enum(['month', 'week']),
  priceKes: z.number().int('Price must be whole shillings').min(1).max(1_000_000),
  rateUpKbps: kbps,
  rateDownKbps: kbps,
  dataCapBytes: z.number().int().positive().max(1e16).nullable(),
  fairUseUpKbps: kbps.nullable(),
  fairUseDownKbps: kbps.nullable(),
  graceDays: z.number().int().min(0).max(60),
  active: z.boolean(),
  sortOrder: z.number().int().min(-1000).max(100_000),
});
const f = servicePlanFields.shape;
const servicePlanShape = servicePlanFields.extend({
  period: f.period.default('month'),
  dataCapBytes: f.dataCapBytes.default(null),
  fairUseUpKbps: f.fairUseUpKbps.default(null),
  fairUseDownKbps: f.fairUseDownKbps.default(null),
  graceDays: f.graceDays.default(3),
  active: f.active.default(true),
  sortOrder: f.sortOrder.default(0),
});

/** Both fair-use rates or neither (the table says so too; this says it in words). */
export const fairUseProblem = (p: { fairUseUpKbps?: number | null; fairUseDownKbps?: number | null }) =>
  (p.fairUseUpKbps == null) !== (p.fairUseDownKbps == null)
    ? 'Give both fair-use rates (up and down) or neither'
    : null;

export const servicePlanInput = servicePlanShape.superRefine((p, c) => {
  const m = fairUseProblem(p);
  if (m) c.addIssue({ code: 'custom', path: ['fairUseUpKbps'], message: m });
});
export type ServicePlanInput = z.output<typeof servicePlanInput>;

export const servicePlanPatch = servicePlanFields.partial();
export type ServicePlanPatch = z.output<typeof servicePlanPatch>;
