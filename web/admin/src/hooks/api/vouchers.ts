/** Access codes (bought or vouchers) and voucher batches. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  Batch,
  Code,
  CodeDetailView,
  CodeFilters,
  ImportBody,
  ImportResult,
  MadeBatch,
  MakeBatchBody,
} from '../../../../../src/admin/http/api-types.ts';
import { api, get, post } from '../../api.ts';
import { usePagedQuery } from './paged.ts';

export const codeKeys = {
  all: ['codes'] as const,
  list: (filters: CodeFilters) => [...codeKeys.all, 'list', filters] as const,
  detail: (id: string) => [...codeKeys.all, 'detail', id] as const,
};

export const batchKeys = {
  all: ['batches'] as const,
  list: () => [...batchKeys.all, 'list'] as const,
};

export const useCodes = (filters: CodeFilters) =>
  usePagedQuery<Code>(codeKeys.list(filters), '/codes', filters);

export function useCode(id: string) {
  return useQuery({ queryKey: codeKeys.detail(id), queryFn: () => get<CodeDetailView>(`/codes/${id}`) });
}

/** Revoking changes the code and the counts of its batch. */
export function useRevokeCode(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<{ changed: boolean }>(`/codes/${id}/revoke`, {}),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: codeKeys.all });
      qc.invalidateQueries({ queryKey: batchKeys.all });
    },
  });
}

export function useBatches() {
  return useQuery({
    queryKey: batchKeys.list(),
    queryFn: () => get<{ items: Batch[]; nextCursor: string | null }>('/vouchers/batches'),
  });
}

function useBatchMutation<B, R>(path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: B) => post<R>(path, body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: batchKeys.all });
      qc.invalidateQueries({ queryKey: codeKeys.all });
    },
  });
}

export const useMakeBatch = () => useBatchMutation<MakeBatchBody, MadeBatch>('/vouchers/batches');
export const useImportVouchers = () => useBatchMutation<ImportBody, ImportResult>('/vouchers/import');

/** Disable, move or delete a whole batch; every one changes its codes and the counts. */
export function useBatchAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: {
      id: string;
      kind: 'disable' | 'delete' | 'move';
      planId?: number;
      label?: string | null;
    }): Promise<{ revoked: number } | { deleted: number } | { moved: number }> =>
      a.kind === 'disable'
        ? api<{ revoked: number }>('POST', `/vouchers/batches/${a.id}/disable`, {})
        : a.kind === 'delete'
          ? api<{ deleted: number }>('DELETE', `/vouchers/batches/${a.id}`, {})
          : api<{ moved: number }>('PATCH', `/vouchers/batches/${a.id}`, {
              ...(a.planId ? { planId: a.planId } : {}),
              ...(a.label !== undefined ? { label: a.label } : {}),
            }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: batchKeys.all });
      qc.invalidateQueries({ queryKey: codeKeys.all });
    },
  });
}
