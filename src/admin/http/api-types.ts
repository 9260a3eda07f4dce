/**
 * The admin API's request and response types, as the dashboard (web/admin) sees them. The SPA
 * imports this file with `import type` only, so the types come from the use cases and zod schemas
 * themselves and cannot drift from what the server sends; nothing here exists at run time.
 *
 * Responses are the use cases' return types passed through `Json<>` (a Date goes over the wire as
 * an ISO string); request bodies are `z.input<>` of the schemas the routes parse with.
 */
import type { z } from 'zod';
import type { CashSaleResult } from '../../payments/index.ts';
import type { AddRouterResult } from '../../gateways/index.ts';
import type { AddRouterInput, UpdateRouterInput } from '../../gateways/index.ts';
import type { RouterView } from '../../gateways/index.ts';
import type { TestRouterResult } from '../../gateways/index.ts';
import type { ImportReport } from '../../vouchers/index.ts';
import type { AuditRow, listAuditQuery } from '../../audit/index.ts';
import type { CodeDetail, CodeRow, listCodesQuery } from '../codes/list-codes.ts';
import type { CustomerDetail, CustomerRow, listCustomersQuery } from '../customers/customers.ts';
import type { Dashboard } from '../dashboard/get-dashboard.ts';
import type { Page } from '../../http/paging.ts';
import type { planInput, planPatch, PlanView } from '../../plans/index.ts';
import type { PurchaseDetail } from '../purchases/get-purchase-detail.ts';
import type { listPurchasesQuery, PurchaseRow } from '../purchases/list-purchases.ts';
import type { RouterWithHealth } from '../routers/list-routers-with-health.ts';
import type { listSessionsQuery, SessionRow } from '../sessions/list-sessions.ts';
import type { brandingSchema, mpesaSchema, readSettings, smsSchema } from '../settings/settings.ts';
import type { createStaffBody, patchStaffBody, StaffView } from '../staff/manage-staff.ts';
import type { BatchRow } from '../vouchers/list-batches.ts';

export type { MeView } from './auth-routes.ts';
export type { Permission } from '../policy.ts';
export type { AdminRole } from '../../db/schema.ts';
/** The voucher print template in force, the default, and what each placeholder prints. */
export interface VoucherTemplateView {
  template: string;
  custom: boolean;
  defaultTemplate: string;
  placeholders: { name: string; meaning: string }[];
}
/** A Test / Register URLs / Send test answer: the other side's word in plain words. */
export type { CheckResult as CheckAnswer } from '../settings/check-settings.ts';

/** What JSON.stringify makes of T: dates become ISO strings, the rest keeps its shape. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** A keyset-paged list of T (already a wire type): one page of items and the next cursor. */
export type Paged<T> = Page<T>;
/**
 * Filters of a paged list as the SPA sends them, typed as the server reads them (the cursor is the
 * pager's business). An empty filter is left out, not sent as "".
 */
type Filters<S extends z.ZodType> = Omit<Json<Partial<z.output<S>>>, 'cursor'>;

export type DashboardView = Json<Dashboard>;

export type Plan = Json<PlanView>;
export type PlanInput = z.input<typeof planInput>;
export type PlanPatch = z.input<typeof planPatch>;

export type Purchase = Json<PurchaseRow>;
export type PurchaseFilters = Filters<typeof listPurchasesQuery>;
export type PurchaseDetailView = Json<PurchaseDetail>;
export type CashSale = Json<CashSaleResult>;
/** Body of POST /purchases/cash (its schema is declared inline in the route). */
export interface CashSaleBody {
  requestId?: string;
  planId: number;
  phone?: string;
  purpose?: 'access' | 'voucher';
  sendSms?: boolean;
}
export interface ResendCodeResult {
  smsId: string;
  to: string;
}

export type Code = Json<CodeRow>;
export type CodeFilters = Filters<typeof listCodesQuery>;
export type CodeDetailView = Json<CodeDetail>;

export type Batch = Json<BatchRow>;
/** Body of POST /vouchers/batches (schema inline in the route). */
export interface MakeBatchBody {
  planId: number;
  count: number;
  label?: string;
  validDays?: number;
  sellOnline?: boolean;
  prefix?: string;
  length?: number;
  charset?: 'mixed' | 'letters' | 'digits';
}
export interface MadeBatch {
  batchId: string;
  count: number;
  entropyBits: number;
  warning: string | null;
}
/** Body of POST /vouchers/import (schema inline in the route). */
export interface ImportBody {
  planId: number;
  text: string;
  label?: string;
  validDays?: number;
  sellOnline?: boolean;
  strict?: boolean;
  dryRun?: boolean;
}
export type ImportResult = Json<ImportReport>;

export type Session = Json<SessionRow>;
export type SessionFilters = Filters<typeof listSessionsQuery>;

export type Customer = Json<CustomerRow>;
export type CustomerFilters = Filters<typeof listCustomersQuery>;
export type CustomerDetailView = Json<CustomerDetail>;

export type Router = Json<RouterWithHealth>;
export type RouterInput = AddRouterInput;
export type RouterPatch = UpdateRouterInput;
export type RouterAdded = Json<AddRouterResult>;
export type RouterSaved = Json<RouterView>;
export type RouterTest = Json<TestRouterResult>;

export type Settings = Json<Awaited<ReturnType<typeof readSettings>>>;
export type BrandingInput = z.input<typeof brandingSchema>;
export type MpesaInput = z.input<typeof mpesaSchema>;
export type SmsInput = z.input<typeof smsSchema>;
export type PppSettingsInput = z.input<typeof import('../settings/ppp-settings.ts').pppSettingsSchema>;

export type PaymentAccount = Json<import('../payment-accounts/manage-accounts.ts').PaymentAccountView>;
export type PaymentAccountInput = z.input<
  typeof import('../payment-accounts/manage-accounts.ts').accountInput
>;
export type PaymentAccountPatch = z.input<
  typeof import('../payment-accounts/manage-accounts.ts').accountPatch
>;
export type FirstRunChecklist = Json<import('../first-run/checklist.ts').Checklist>;
export type FirstRunChange = z.input<typeof import('../first-run/checklist.ts').checklistChange>;

export type Staff = Json<StaffView>;
export type StaffInput = z.input<typeof createStaffBody>;
export type StaffPatch = z.input<typeof patchStaffBody>;

export type AuditEntry = Json<AuditRow>;
export type AuditFilters = Filters<typeof listAuditQuery>;

export type Troubleshoot = Json<import('../troubleshoot/troubleshoot.ts').TroubleshootResult>;
export type TroubleshootCheck = Troubleshoot['checks'][number];
export type TroubleshootQuery = z.input<typeof import('./ops-routes.ts').troubleshootQuery>;
export type ExtendCodeBody = z.input<typeof import('./ops-routes.ts').extendBody>;
export type ExtendCodeResult = Json<import('../../access/index.ts').ExtendResult>;
export type FreeDeviceBody = z.input<typeof import('./ops-routes.ts').freeDeviceBody>;
export type Reconciliation = Json<import('../reconciliation/report.ts').ReconciliationReport>;
export type Discrepancy = Reconciliation['discrepancies'][number];
export type AlertsView = Json<
  {
    settings: Awaited<ReturnType<typeof import('../../alerts/index.ts').readAlertSettings>>;
  } & Awaited<ReturnType<typeof import('../../alerts/index.ts').alertOverview>>
>;
export type AlertSettingsInput = z.input<typeof import('../../alerts/index.ts').saveAlertSettingsSchema>;

type Subs = typeof import('../../subscribers/index.ts');
export type Subscriber = Json<import('../../subscribers/index.ts').SubscriberView>;
export type SubscriberDetailView = Json<import('../../subscribers/index.ts').SubscriberDetail>;
export type SubscriberFilters = Filters<Subs['listSubscribersQuery']>;
export type SubscriberInput = z.input<Subs['createSubscriberInput']>;
export type SubscriberPatch = z.input<Subs['updateSubscriberInput']>;
export type PlanChangeQuote = Json<import('../../subscribers/index.ts').PlanChangeQuote>;
export type PlanChangeResult = Json<import('../../subscribers/index.ts').PlanChangeResult>;
export type SubscriberImportBody = z.input<typeof import('./subscriber-routes.ts').importBody>;
export type SubscriberImportResult = Json<import('../../subscribers/index.ts').ImportSubscribersResult>;
export type ServicePlan = Json<import('../../subscribers/index.ts').ServicePlan>;
export type ServicePlanInput = z.input<Subs['servicePlanInput']>;
export type ServicePlanPatch = z.input<Subs['servicePlanPatch']>;
export type SubscriberReportView = Json<import('../../subscribers/index.ts').SubscriberReport>;
