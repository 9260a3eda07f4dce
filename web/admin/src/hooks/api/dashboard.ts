import { useQuery } from '@tanstack/react-query';
import type { DashboardView } from '../../../../../src/admin/http/api-types.ts';
import { get } from '../../api.ts';

export const dashboardKeys = {
  all: ['dashboard'] as const,
  period: (days: number) => [...dashboardKeys.all, days] as const,
};

/** The figures of the last `days` days, refreshed every 30 s while the page is open. */
export function useDashboard(days: number) {
  return useQuery({
    queryKey: dashboardKeys.period(days),
    queryFn: () => get<DashboardView>(`/dashboard?days=${days}`),
    refetchInterval: 30_000,
  });
}
