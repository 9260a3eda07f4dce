import { useQuery } from '@tanstack/react-query';
import type {
  Customer,
  CustomerDetailView,
  CustomerFilters,
} from '../../../../../src/admin/http/api-types.ts';
import { get } from '../../api.ts';
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
