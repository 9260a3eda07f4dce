import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Staff, StaffInput, StaffPatch } from '../../../../../src/admin/http/api-types.ts';
import { get, patch, post } from '../../api.ts';

export const staffKeys = {
  all: ['staff'] as const,
  list: () => [...staffKeys.all, 'list'] as const,
};

export function useStaff() {
  return useQuery({ queryKey: staffKeys.list(), queryFn: () => get<{ items: Staff[] }>('/staff') });
}

export function useChangeStaff() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: StaffPatch }) => patch<unknown>(`/staff/${id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: staffKeys.all }),
  });
}

export function useAddStaff() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: StaffInput) => post<unknown>('/staff', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: staffKeys.all }),
  });
}
