import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AlertSettingsInput,
  AlertsView,
  Reconciliation,
} from '../../../../../src/admin/http/api-types.ts';
import { get, post, put } from '../../api.ts';

export const reconciliationKeys = { day: (date: string) => ['reconciliation', date] as const };

/** The report asks the routers live: never served stale. */
export function useReconciliation(date: string) {
  return useQuery({
    queryKey: reconciliationKeys.day(date),
    queryFn: () => get<Reconciliation>(`/reports/reconciliation?date=${encodeURIComponent(date)}`),
    staleTime: 0,
    retry: false,
  });
}

export function useFixDiscrepancy(date: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (fix: Record<string, unknown>) => post<{ done: string }>('/reports/reconciliation/fix', fix),
    onSettled: () => qc.invalidateQueries({ queryKey: reconciliationKeys.day(date) }),
  });
}

export function useAlerts() {
  return useQuery({ queryKey: ['alerts'], queryFn: () => get<AlertsView>('/alerts') });
}

export function useSaveAlerts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (s: AlertSettingsInput) => put<AlertsView['settings']>('/settings/alerts', s),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
}
