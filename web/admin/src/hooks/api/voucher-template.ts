/** The voucher print template: read, save (or reset), and preview an unsaved one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { VoucherTemplateView } from '../../../../../src/admin/http/api-types.ts';
import { get, postForHtml, put } from '../../api.ts';

export const templateKeys = { all: ['voucher-template'] as const };

export const useVoucherTemplate = () =>
  useQuery({
    queryKey: templateKeys.all,
    queryFn: () => get<VoucherTemplateView>('/settings/voucher-template'),
  });

/** `null` resets to the default. */
export function useSaveVoucherTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (template: string | null) => put<unknown>('/settings/voucher-template', { template }),
    onSuccess: () => qc.invalidateQueries({ queryKey: templateKeys.all }),
  });
}

export type PreviewLayout = 'a4' | '58mm' | '80mm';

export const usePreviewTemplate = () =>
  useMutation({
    mutationFn: (b: { template: string; layout: PreviewLayout; password: boolean }) =>
      postForHtml('/settings/voucher-template/preview', b),
  });
