import type { Command } from '../cli/command.ts';

/** `wavu vouchers`: the work (and pdfkit) is loaded only when this command runs. */
export const vouchersCommand: Command = {
  name: 'vouchers',
  summary: 'Make, import and export voucher batches (PDF/CSV sheets, MikroTik imports).',
  get usage() {
    return USAGE;
  },
  run: async (argv, ctx) => (await import('./cli-run.ts')).runVouchers(argv, ctx),
};

const USAGE = `wavu vouchers <create|import|export|stock> [options]

  wavu vouchers create --plan NAME --count N [--label L] [--valid-days D] --out FILE
      Make N vouchers of a plan in one batch and write them to FILE: .pdf (A4 sheets, 24 per page,
      with QR codes), .html (print view) or .csv. --valid-days: first use must be within D days.
  wavu vouchers create --plan NAME --count N --online [--label L]
      Make stock for online and cash sale instead (never printed: the system sells each once).
  wavu vouchers import FILE --plan NAME [--label L] [--paper] [--strict] [--dry-run]
      Import codes made on a MikroTik router (/ip hotspot user add name=… lines), a CSV with a
      code/name column, or one code per line. Duplicates and bad lines are listed. Imported codes
      are online stock unless --paper (already printed and sold by hand). --strict: import
      nothing if any line has a problem. --dry-run: check only.
  wavu vouchers export BATCH_ID --out FILE
      Write an existing paper batch again (.pdf, .html or .csv).
  wavu vouchers stock
      Unsold online stock per plan.`;
