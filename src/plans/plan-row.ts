/**
 * The plan shapes each reader needs, all cut from one Drizzle row, so a column read in one place
 * reads the same everywhere (bigint data caps come back as numbers on both databases).
 */
import { asc } from 'drizzle-orm';
import { plans } from '../db/schema.ts';
import type { PlanView } from './plan-schema.ts';

export type PlanRow = typeof plans.$inferSelect;

/** The order customers see plans in: the operator's order, then cheapest first. */
export const SALE_ORDER = [asc(plans.sortOrder), asc(plans.priceKes), asc(plans.id)] as const;

/** A plan as the public price list shows it (`GET /api/plans`, the portal). */
export interface PublicPlan {
  id: number;
  name: string;
  /** The name in Kiswahili, if the operator gave one. */
  nameSw: string | null;
  priceKes: number;
  durationSeconds: number;
  dataCapBytes: number | null;
  rateUpKbps: number | null;
  rateDownKbps: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
}

/** What a voucher copies from its plan when it is made (later plan edits do not change it). */
export interface VoucherPlan {
  id: number;
  name: string;
  priceKes: number;
  durationSeconds: number;
  dataCapBytes: number | null;
  devices: number;
  clock: 'wall' | 'uptime';
}

export const toPublicPlan = (r: PlanRow): PublicPlan => ({
  id: r.id,
  name: r.name,
  nameSw: r.nameSw,
  priceKes: r.priceKes,
  durationSeconds: r.durationSeconds,
  dataCapBytes: r.dataCapBytes,
  rateUpKbps: r.rateUpKbps,
  rateDownKbps: r.rateDownKbps,
  devices: r.devices,
  clock: r.clock,
});

export const toVoucherPlan = (r: PlanRow): VoucherPlan => ({
  id: r.id,
  name: r.name,
  priceKes: r.priceKes,
  durationSeconds: r.durationSeconds,
  dataCapBytes: r.dataCapBytes,
  devices: r.devices,
  clock: r.clock,
});

/** The admin's full view: the public fields (same order), then the operator's settings. */
export const toPlanView = (r: PlanRow): PlanView => ({
  ...toPublicPlan(r),
  fairUseRate: r.fairUseRate,
  startsOn: r.startsOn,
  remindMinutes: r.remindMinutes,
  active: r.active,
  sortOrder: r.sortOrder,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
