/** The vouchers feature's public surface: other features import from here only. */
export { type BatchSheet, takeBatchSheet, takeVoucherReprint } from './batch-sheet.ts';
export { type RollWidth, renderThermalEscPos, renderThermalHtml } from './print-thermal.ts';
export { MAX_BATCH, createVoucherBatch } from './create-batch.ts';
export { renderSheetCsv } from './export-csv.ts';
export { type ImportReport, importVouchers } from './import-vouchers.ts';
export { renderSheetHtml } from './print-html.ts';
export { renderSheetPdf } from './print-pdf.ts';
export { deleteBatch } from './delete-batch.ts';
export { disableBatch } from './disable-batch.ts';
export { moveBatch } from './move-batch.ts';
export { DEFAULT_TEMPLATE, MAX_TEMPLATE_CHARS, PLACEHOLDERS } from './ticket-template.ts';
export { loadTicketTemplate, saveTicketTemplate } from './ticket-template-setting.ts';
export { previewTemplate } from './template-preview.ts';
