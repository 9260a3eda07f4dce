import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  Customer,
  CustomerDetailView,
  CustomerFilters,
} from '../../../../../src/admin/http/api-types.ts';
import { get, put } from '../../api.ts';
import { usePagedQuery } from './paged.ts';

export const customerKeys = {
  all: ['customers'] as const,
  list: (filters: CustomerFilters) => [...customerKeys.all, 'list', filters] as const,
  detail: (id: string) => [...customerKeys.all, 'detail', id] as const,
};

export const useCustomers = (filters: CustomerFilters) =>
  usePagedQuery<Customer>(customerKeys.list(filters), '/customers', filters);

export function useCustomer(id: string) {
  return useQuery({
    queryKey: customerKeys.detail(id),
    queryFn: () => get<CustomerDetailView>(`/customers/${id}`),
  });
}

/** Switch a phone's expiry reminder texts off or back on. */
export function useSetReminders(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (remindersOff: boolean) => put<unknown>(`/customers/${id}/reminders`, { remindersOff }),
    onSuccess: () => qc.invalidateQueries({ queryKey: customerKeys.all }),
  });
}
