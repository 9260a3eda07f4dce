/**
 * `wavu vouchers …` implementation, loaded only when the command runs (it pulls in pdfkit). It
 * calls the same use cases as the admin API, so every batch made, import and sheet written is
 * audited, with `cli` as the actor.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Deps } from '../app/deps.ts';
import { type CommandContext, parse, UsageError } from '../cli/command.ts';
import { cliActor } from '../audit/index.ts';
import { isAppError } from '../lib/errors.ts';
import { takeBatchSheet } from './batch-sheet.ts';
import { createVoucherBatch } from './create-batch.ts';
import { renderSheetCsv } from './export-csv.ts';
import { importVouchers } from './import-vouchers.ts';
import { findPlanByName } from '../plans/index.ts';
import { renderSheetHtml } from './print-html.ts';
import { renderSheetPdf } from './print-pdf.ts';
import { voucherStock } from '../access/index.ts';

async function writeSheet(deps: Deps, batchId: string, out: string): Promise<void> {
  const ext = extname(out).toLowerCase();
  if (!['.pdf', '.html', '.htm', '.csv'].includes(ext))
    throw new UsageError(`--out must end in .pdf, .html or .csv (got "${out}")`);
  const sheet = await takeBatchSheet(deps, { batchId, action: 'voucher.export', actor: cliActor() });
  if (ext === '.pdf') writeFileSync(out, await renderSheetPdf(sheet));
  else if (ext === '.html' || ext === '.htm') writeFileSync(out, renderSheetHtml(sheet));
  else writeFileSync(out, renderSheetCsv(sheet));
}

const checkOut = (out: string | undefined) => {
  if (out && !/\.(pdf|html?|csv)$/i.test(out)) throw new UsageError('--out must end in .pdf, .html or .csv');
};

export async function runVouchers(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const say = (s: string) => process.stdout.write(`${s}\n`);
  try {
    switch (sub) {
      case 'create': {
        const { values: v } = parse(rest, {
          plan: { type: 'string' },
          count: { type: 'string' },
          label: { type: 'string' },
          'valid-days': { type: 'string' },
          online: { type: 'boolean' },
          out: { type: 'string' },
        });
        if (!v.plan || !v.count) throw new UsageError('--plan and --count are required');
        const count = Number(v.count);
        if (!Number.isInteger(count) || count < 1)
          throw new UsageError('--count must be a whole number above 0');
        if (!v.online && !v.out) throw new UsageError('--out FILE is required (or --online for sale stock)');
        if (v.online && v.out) throw new UsageError('--online stock is never written out; drop --out');
        checkOut(v.out);
        const days = v['valid-days'] === undefined ? null : Number(v['valid-days']);
        if (days !== null && (!Number.isInteger(days) || days < 1))
          throw new UsageError('--valid-days must be a whole number of days');
        await ctx.withDeps(async (deps) => {
          const plan = await findPlanByName(deps.db, v.plan!);
          const validUntil = days ? new Date(deps.clock.now().getTime() + days * 86_400_000) : null;
          const b = await createVoucherBatch(deps, {
            planId: plan.id,
            count,
            label: v.label,
            validUntil,
            sellOnline: !!v.online,
            actor: cliActor(),
          });
          if (v.out) await writeSheet(deps, b.batchId, v.out);
          say(
            `Made ${b.count} "${plan.name}" vouchers, batch ${b.batchId}${v.out ? `, written to ${v.out}` : ' (online stock)'}.`,
          );
        });
        return 0;
      }
      case 'import': {
        const { values: v, positionals } = parse(rest, {
          plan: { type: 'string' },
          label: { type: 'string' },
          paper: { type: 'boolean' },
          strict: { type: 'boolean' },
          'dry-run': { type: 'boolean' },
        });
        const file = positionals[0];
        if (!file || !v.plan) throw new UsageError('a FILE and --plan NAME are required');
        const text = readFileSync(file, 'utf8');
        return await ctx.withDeps(async (deps) => {
          const plan = await findPlanByName(deps.db, v.plan!);
          const r = await importVouchers(deps, {
            planId: plan.id,
            text,
            label: v.label ?? file,
            sellOnline: !v.paper,
            strict: v.strict,
            dryRun: v['dry-run'],
            actor: cliActor(),
          });
          for (const p of r.problems) say(`  line ${p.line}: ${p.value}: ${p.reason}`);
          if (v['dry-run'])
            say(
              `Dry run (${r.format}): would import ${r.imported}; ${r.problems.length} line(s) with problems.`,
            );
          else
            say(
              `Imported ${r.imported} "${plan.name}" voucher(s) from ${file} (${r.format})${r.batchId ? `, batch ${r.batchId}` : ''}; ${r.problems.length} line(s) not imported.`,
            );
          return r.problems.length ? 1 : 0;
        });
      }
      case 'export': {
        const { values: v, positionals } = parse(rest, { out: { type: 'string' } });
        if (!positionals[0] || !v.out) throw new UsageError('BATCH_ID and --out FILE are required');
        checkOut(v.out);
        await ctx.withDeps((deps) => writeSheet(deps, positionals[0]!, v.out!));
        say(`Written to ${v.out}.`);
        return 0;
      }
      case 'stock': {
        parse(rest, {});
        await ctx.withDeps(async (deps) => {
          const stock = await voucherStock(deps);
          if (!stock.length) say('No unsold online stock.');
          for (const s of stock) say(`plan ${s.planId}: ${s.unsold} unsold`);
        });
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    }
  } catch (e) {
    if (isAppError(e)) {
      process.stderr.write(`wavu vouchers: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
