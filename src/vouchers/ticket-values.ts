/** What each placeholder of the voucher template says for one voucher of a sheet. */
import { formatKes } from '../lib/money.ts';
import type { BatchSheet, SheetVoucher } from './batch-sheet.ts';
import { formatBytes, formatDuration, groupCode, portalUrl } from './format.ts';
import { fillTemplate, type TicketLine, type TicketValues } from './ticket-template.ts';

export function ticketValues(
  sheet: Pick<BatchSheet, 'plan' | 'branding' | 'validUntil' | 'publicUrl'>,
  v: Pick<SheetVoucher, 'code' | 'password'>,
): TicketValues {
  const p = sheet.plan;
  return {
    business: sheet.branding.name,
    plan: p.name,
    price: formatKes(p.priceKes),
    duration: `${formatDuration(p.durationSeconds)}${p.clock === 'uptime' ? ' online' : ''}`,
    data: p.dataCapBytes ? formatBytes(p.dataCapBytes) : '',
    devices: p.devices > 1 ? `${p.devices} devices` : '',
    // A username is typed as printed (a router's login page does not forgive spaces); a code
    // alone is split in two for reading aloud, and the portal ignores the space.
    code: v.password ? v.code : groupCode(v.code),
    password: v.password ?? '',
    expires: sheet.validUntil ? sheet.validUntil.toISOString().slice(0, 10) : '',
    support_phone: sheet.branding.supportPhone ?? '',
    portal_url: portalUrl(sheet.publicUrl, v.code),
  };
}

/** One voucher's ticket, line by line, in the sheet's template. */
export const ticketOf = (sheet: BatchSheet, v: SheetVoucher): TicketLine[] =>
  fillTemplate(sheet.template, ticketValues(sheet, v));
