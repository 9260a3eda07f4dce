import { z } from 'zod';
import { FAIR_USE_RATE_HINT, parseFairUseRate } from './fair-use.ts';

const positiveOrNull = (max: number) => z.number().int().positive().max(max).nullable();

/** A plan as operators edit it. Money is whole KES; durations are seconds. */
export const planInput = z.object({
  name: z.string().trim().min(1, 'Give the plan a name').max(60),
  /** The name the portal shows in Kiswahili ("Saa 1"); null shows `name`. */
  nameSw: z.string().trim().min(1).max(60).nullable().default(null),
  priceKes: z.number().int('Price must be whole shillings').min(1).max(250_000),
  durationSeconds: z
    .number()
    .int()
    .min(60, 'At least one minute')
    .max(366 * 86_400),
  dataCapBytes: positiveOrNull(1e15).default(null),
  rateUpKbps: positiveOrNull(10_000_000).default(null),
  rateDownKbps: positiveOrNull(10_000_000).default(null),
  /**
   * With a data cap: the speed the code drops to when the cap is used, instead of being cut off
   * (MikroTik rate-limit form, `up/down`). Null: reaching the cap ends the access.
   */
  fairUseRate: z
    .string()
    .trim()
    .max(40)
    .refine((v) => parseFairUseRate(v) !== null, FAIR_USE_RATE_HINT)
    .nullable()
    .default(null),
  devices: z.number().int().min(1).max(20).default(1),
  clock: z.enum(['wall', 'uptime']).default('wall'),
  startsOn: z.enum(['first_login', 'payment']).default('first_login'),
  /** Text the customer this many minutes before the time runs out; null (the default): no text. */
  remindMinutes: z.number().int().min(1).max(1440).nullable().default(null),
  active: z.boolean().default(true),
  sortOrder: z.number().int().min(-1000).max(100_000).default(0),
});

export type PlanInput = z.output<typeof planInput>;

export const planPatch = planInput.partial();

export const planView = planInput.extend({ id: z.number(), createdAt: z.string(), updatedAt: z.string() });
export type PlanView = z.output<typeof planView>;
