/**
 * First-run setup: the checklist a new owner sees right after creating the account. Whether a
 * step is done is read from the real state each time (branding saved, an M-Pesa account that
 * tested OK, a router that answered, plans looked at), never from a flag the page sets, so the
 * list cannot say "done" about something that is not. Only skipping a step, closing the list and
 * "these plans are right" are stored (setting `setup.checklist`); reopening clears the skips.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../app/deps.ts';
import { type Actor, audit } from '../../audit/index.ts';
import { query } from '../../db/open.ts';
import { mpesaMissing } from '../../payments/index.ts';
import { getSetting, putSetting } from '../../settings/index.ts';

export const STEPS = ['branding', 'mpesa', 'router', 'plans'] as const;
export type StepId = (typeof STEPS)[number];

const KEY = 'setup.checklist';

interface Stored {
  skipped?: StepId[];
  closed?: boolean;
  plansReviewedAt?: string;
}

export interface ChecklistStep {
  id: StepId;
  title: string;
  done: boolean;
  skipped: boolean;
  /** What is done and what is left, in plain words. */
  detail: string;
  /** For the router step: the first router's id, to download its script and test it. */
  routerId?: number | null;
}

export interface Checklist {
  steps: ChecklistStep[];
  /** The owner closed the list; it stays reachable from the dashboard. */
  closed: boolean;
  complete: boolean;
  /** Titles of the steps not done (skipped ones too): what the dashboard shows as missing. */
  missing: string[];
}

export const checklistChange = z
  .object({
    skip: z.enum(STEPS).optional(),
    unskip: z.enum(STEPS).optional(),
    plansReviewed: z.literal(true).optional(),
    close: z.literal(true).optional(),
    reopen: z.literal(true).optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length === 1, 'exactly one of skip, unskip, plansReviewed, close, reopen');

export async function getChecklist(deps: Deps): Promise<Checklist> {
  const stored = (await getSetting<Stored>(deps.db, KEY)) ?? {};
  const skipped = new Set(stored.skipped ?? []);
  const branding = await getSetting<{ name?: string }>(deps.db, 'branding');
  const accounts = await deps.accounts.all();
  const ready = accounts.filter((a) => !mpesaMissing(a));
  const tested = ready.filter((a) => a.testedAt);
  const [router] = await query<{ id: number; name: string; status: string; scripts: number }>(
    deps.db,
    sql`SELECT r.id, r.name, r.status,
               (SELECT count(*)::int FROM audit_log WHERE action = 'router.script' AND entity_id = r.id::text) AS scripts
        FROM routers r ORDER BY (r.status = 'up') DESC, r.id LIMIT 1`,
  );
  const [plans] = await query<{ active: number; changed: number }>(
    deps.db,
    sql`SELECT (SELECT count(*)::int FROM plans WHERE active) AS active,
               (SELECT count(*)::int FROM audit_log WHERE action LIKE 'plan.%') AS changed`,
  );
  const plansReviewed = !!stored.plansReviewedAt || Number(plans!.changed) > 0;

  const steps: ChecklistStep[] = [
    {
      id: 'branding',
      title: 'Business name, colour and support phone',
      done: branding !== null,
      skipped: skipped.has('branding'),
      detail: branding ? `Saved: ${branding.name ?? ''}` : 'Customers see this name on the WiFi login page.',
    },
    {
      id: 'mpesa',
      title: 'M-Pesa account, tested',
      done: tested.length > 0,
      skipped: skipped.has('mpesa'),
      detail: tested.length
        ? `${tested[0]!.name} (${tested[0]!.shortcode}) got a Daraja token.`
        : ready.length
          ? `${ready[0]!.name} is filled in: press Test to check it with Safaricom.`
          : `Missing: ${mpesaMissing(accounts[0]!)}.`,
    },
    {
      id: 'router',
      title: 'First router: add it, download its script, test it',
      done: router?.status === 'up',
      skipped: skipped.has('router'),
      routerId: router?.id ?? null,
      detail: !router
        ? 'No router yet.'
        : router.status === 'up'
          ? `${router.name} answered its test.`
          : `${router.name} is added${Number(router.scripts) ? ', its script downloaded,' : ''} but has not answered a test yet.`,
    },
    {
      id: 'plans',
      title: 'Review the plans',
      done: plansReviewed && Number(plans!.active) > 0,
      skipped: skipped.has('plans'),
      detail: `${plans!.active} plans on sale.${plansReviewed ? '' : ' Check the prices and times, then mark them reviewed.'}`,
    },
  ];
  const complete = steps.every((s) => s.done);
  return {
    steps,
    closed: stored.closed === true,
    complete,
    missing: steps.filter((s) => !s.done).map((s) => s.title),
  };
}

export async function changeChecklist(
  deps: Deps,
  change: z.output<typeof checklistChange>,
  actor: Actor,
  ip: string | null,
): Promise<Checklist> {
  await deps.db.transaction(async (tx) => {
    const s: Stored = (await getSetting<Stored>(tx, KEY)) ?? {};
    const skipped = new Set(s.skipped ?? []);
    if (change.skip) skipped.add(change.skip);
    if (change.unskip) skipped.delete(change.unskip);
    if (change.plansReviewed) s.plansReviewedAt = deps.clock.now().toISOString();
    if (change.close) s.closed = true;
    if (change.reopen) {
      s.closed = false;
      skipped.clear();
    }
    s.skipped = [...skipped];
    await putSetting(tx, deps.clock.now(), KEY, s);
    await audit(tx, deps, {
      actor,
      action: 'setup.checklist',
      entity: 'settings',
      entityId: KEY,
      detail: change,
      ip,
    });
  });
  return getChecklist(deps);
}
