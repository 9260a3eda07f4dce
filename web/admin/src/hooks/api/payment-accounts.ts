import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  FirstRunChange,
  FirstRunChecklist,
  PaymentAccount,
  PaymentAccountInput,
  PaymentAccountPatch,
} from '../../../../../src/admin/http/api-types.ts';
import { get, patch, post } from '../../api.ts';
import type { CheckAnswer } from './settings.ts';

export const paymentAccountKeys = {
  all: ['payment-accounts'] as const,
  list: () => [...paymentAccountKeys.all, 'list'] as const,
};
export const firstRunKeys = { all: ['first-run'] as const };

export function usePaymentAccounts() {
  return useQuery({
    queryKey: paymentAccountKeys.list(),
    queryFn: () => get<{ items: PaymentAccount[] }>('/payment-accounts'),
  });
}

/** Adds an account (`id` null) or changes account `id`; the checklist and dashboard follow. */
export function useSavePaymentAccount(id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PaymentAccountInput | PaymentAccountPatch) =>
      id === null
        ? post<{ id: number }>('/payment-accounts', body)
        : patch<{ id: number }>(`/payment-accounts/${id}`, body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: paymentAccountKeys.all });
      qc.invalidateQueries({ queryKey: firstRunKeys.all });
    },
  });
}

/** Test or Register URLs for one account: Daraja's answer in plain words. */
export function usePaymentAccountCheck(id: number, what: 'test' | 'register-urls') {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<CheckAnswer>(`/payment-accounts/${id}/${what}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: paymentAccountKeys.all });
      qc.invalidateQueries({ queryKey: firstRunKeys.all });
    },
  });
}

export function useFirstRun(enabled = true) {
  return useQuery({
    queryKey: firstRunKeys.all,
    queryFn: () => get<FirstRunChecklist>('/first-run'),
    enabled,
  });
}

export function useChangeFirstRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: FirstRunChange) => post<FirstRunChecklist>('/first-run', body),
    onSuccess: (data) => qc.setQueryData(firstRunKeys.all, data),
  });
}
