import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Plan, PlanInput, PlanPatch } from '../../../../../src/admin/http/api-types.ts';
import { del, get, patch, post } from '../../api.ts';

export const planKeys = {
  all: ['plans'] as const,
  list: () => [...planKeys.all, 'list'] as const,
};

export function usePlans() {
  return useQuery({ queryKey: planKeys.list(), queryFn: () => get<{ items: Plan[] }>('/plans') });
}

/** Plans on sale, for the sale and voucher forms. */
export function useActivePlans(): Plan[] {
  return (usePlans().data?.items ?? []).filter((p) => p.active);
}

/** Creates a plan, or changes `plan` when one is given. */
export function useSavePlan(plan: Plan | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PlanInput & PlanPatch) =>
      plan ? patch<Plan>(`/plans/${plan.id}`, body) : post<Plan>('/plans', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: planKeys.all }),
  });
}

export function useDeletePlan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => del<unknown>(`/plans/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: planKeys.all }),
  });
}
