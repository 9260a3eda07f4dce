/**
 * The template editor's preview: an unsaved template rendered on a made-up voucher, in the
 * layout asked for, by the same renderers as a real print. The sample plan has a data cap, two
 * devices and a use-by date so every placeholder shows; `password` previews an imported
 * user/password voucher. Nothing is audited: no real code is revealed.
 */
import type { Deps } from '../app/deps.ts';
import { loadBranding } from '../branding/index.ts';
import type { BatchSheet } from './batch-sheet.ts';
import { renderSheetHtml } from './print-html.ts';
import { renderThermalHtml } from './print-thermal.ts';
import { parseTemplate } from './ticket-template.ts';

export const SAMPLE_CODE = 'K7Q2M9XYHP';
export const SAMPLE_USER = 'mh7k2q9x';
export const SAMPLE_PASSWORD = '4821';

export async function previewTemplate(
  deps: Deps,
  o: { template: string; layout: 'a4' | '58mm' | '80mm'; password: boolean },
): Promise<string> {
  const now = deps.clock.now();
  const sheet: BatchSheet = {
    batchId: '00000000-0000-0000-0000-000000000000',
    label: 'Preview',
    validUntil: new Date(now.getTime() + 60 * 86_400_000),
    sellOnline: false,
    source: 'generated',
    createdAt: now,
    plan: {
      id: 0,
      name: '24 Hours',
      priceKes: 100,
      durationSeconds: 86_400,
      dataCapBytes: 2e9,
      devices: 2,
      clock: 'wall',
    },
    branding: await loadBranding(deps.db),
    publicUrl: deps.config.publicUrl,
    template: parseTemplate(o.template),
    vouchers: [
      o.password
        ? { code: SAMPLE_USER, password: SAMPLE_PASSWORD, status: 'issued', soldAt: null }
        : { code: SAMPLE_CODE, password: null, status: 'issued', soldAt: null },
    ],
  };
  return o.layout === 'a4' ? renderSheetHtml(sheet) : renderThermalHtml(sheet, o.layout === '58mm' ? 58 : 80);
}
