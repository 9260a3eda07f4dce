import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CashSale,
  CashSaleBody,
  Purchase,
  PurchaseDetailView,
  PurchaseFilters,
  ResendCodeResult,
} from '../../../../../src/admin/http/api-types.ts';
import { get, post } from '../../api.ts';
import { codeKeys } from './vouchers.ts';
import { customerKeys } from './customers.ts';
import { dashboardKeys } from './dashboard.ts';
import { usePagedQuery } from './paged.ts';

export const purchaseKeys = {
  all: ['purchases'] as const,
  list: (filters: PurchaseFilters) => [...purchaseKeys.all, 'list', filters] as const,
  detail: (id: string) => [...purchaseKeys.all, 'detail', id] as const,
};

export const usePurchases = (filters: PurchaseFilters) =>
  usePagedQuery<Purchase>(purchaseKeys.list(filters), '/purchases', filters);

export function usePurchase(id: string) {
  return useQuery({
    queryKey: purchaseKeys.detail(id),
    queryFn: () => get<PurchaseDetailView>(`/purchases/${id}`),
  });
}

export function useRetryGrant(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<{ jobId: number | null }>(`/purchases/${id}/retry-grant`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: purchaseKeys.detail(id) }),
  });
}

export function useResendCode(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (to: string | null) =>
      post<ResendCodeResult>(`/purchases/${id}/resend-code`, to ? { phone: to } : {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: purchaseKeys.detail(id) }),
  });
}

/** A cash sale: a paid purchase and its code, so payments, codes and the figures change. */
export function useCashSale() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CashSaleBody) => post<CashSale>('/purchases/cash', body),
    onSuccess: () => {
      for (const queryKey of [purchaseKeys.all, codeKeys.all, customerKeys.all, dashboardKeys.all])
        qc.invalidateQueries({ queryKey });
    },
  });
}
