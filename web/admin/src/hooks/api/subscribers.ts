import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  PlanChangeQuote,
  PlanChangeResult,
  ServicePlan,
  ServicePlanInput,
  ServicePlanPatch,
  Subscriber,
  SubscriberDetailView,
  SubscriberFilters,
  SubscriberImportBody,
  SubscriberImportResult,
  SubscriberInput,
  SubscriberPatch,
  SubscriberReportView,
} from '../../../../../src/admin/http/api-types.ts';
import { del, get, patch, post, qs } from '../../api.ts';
import { usePagedQuery } from './paged.ts';

export const subscriberKeys = {
  all: ['subscribers'] as const,
  list: (filters: SubscriberFilters) => [...subscriberKeys.all, 'list', filters] as const,
  detail: (ref: string) => [...subscriberKeys.all, 'detail', ref] as const,
  planChange: (ref: string, plan: string) => [...subscriberKeys.all, 'plan-change', ref, plan] as const,
  report: () => [...subscriberKeys.all, 'report'] as const,
};
export const servicePlanKeys = {
  all: ['service-plans'] as const,
  list: () => [...servicePlanKeys.all, 'list'] as const,
};

const enc = encodeURIComponent;

export const useSubscribers = (filters: SubscriberFilters) =>
  usePagedQuery<Subscriber>(subscriberKeys.list(filters), '/subscribers', filters);

export function useSubscriber(ref: string) {
  return useQuery({
    queryKey: subscriberKeys.detail(ref),
    queryFn: () => get<SubscriberDetailView>(`/subscribers/${enc(ref)}`),
  });
}

/** The prorated price of a plan change, fetched once a plan is picked (changes nothing). */
export function usePlanChangeQuote(ref: string, plan: string) {
  return useQuery({
    enabled: plan !== '',
    queryKey: subscriberKeys.planChange(ref, plan),
    queryFn: () => get<PlanChangeQuote>(`/subscribers/${enc(ref)}/plan-change${qs({ plan })}`),
  });
}

function useSubscriberMutation<B, R>(fn: (body: B) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => qc.invalidateQueries({ queryKey: subscriberKeys.all }),
  });
}

export const useCreateSubscriber = () =>
  useSubscriberMutation((body: SubscriberInput) => post<Subscriber>('/subscribers', body));
export const useUpdateSubscriber = (ref: string) =>
  useSubscriberMutation((body: SubscriberPatch) => patch<Subscriber>(`/subscribers/${enc(ref)}`, body));
export const useSubscriberAction = (ref: string) =>
  useSubscriberMutation((action: 'suspend' | 'resume' | 'close' | 'resend') =>
    post<Subscriber>(`/subscribers/${enc(ref)}/${action}`, {}),
  );
export const useChangePlan = (ref: string) =>
  useSubscriberMutation((plan: string) => post<PlanChangeResult>(`/subscribers/${enc(ref)}/plan`, { plan }));
export const useImportSubscribers = () =>
  useSubscriberMutation((body: SubscriberImportBody) =>
    post<SubscriberImportResult>('/subscribers/import', body),
  );

export function useServicePlans() {
  return useQuery({
    queryKey: servicePlanKeys.list(),
    queryFn: () => get<{ items: ServicePlan[] }>('/service-plans'),
  });
}

/** Creates a service plan, or changes `plan` when one is given; subscribers show plan names. */
export function useSaveServicePlan(plan: ServicePlan | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ServicePlanInput & ServicePlanPatch) =>
      plan
        ? patch<ServicePlan>(`/service-plans/${plan.id}`, body)
        : post<ServicePlan>('/service-plans', body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: servicePlanKeys.all });
      qc.invalidateQueries({ queryKey: subscriberKeys.all });
    },
  });
}

export function useDeleteServicePlan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => del<unknown>(`/service-plans/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: servicePlanKeys.all }),
  });
}

/** Due, overdue, revenue and churn; under the subscribers key, so every change refreshes it. */
export function useSubscriberReport(enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: subscriberKeys.report(),
    queryFn: () => get<SubscriberReportView>('/subscribers/report'),
  });
}
