import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ExtendCodeBody,
  ExtendCodeResult,
  FreeDeviceBody,
  Troubleshoot,
  TroubleshootQuery,
} from '../../../../../src/admin/http/api-types.ts';
import { get, post } from '../../api.ts';
import { codeKeys } from './vouchers.ts';

export const troubleshootKeys = {
  all: ['troubleshoot'] as const,
  run: (q: TroubleshootQuery) => [...troubleshootKeys.all, q] as const,
};

/** Runs when `q` is set; the answer reads the router live, so it is never served stale. */
export function useTroubleshoot(q: TroubleshootQuery) {
  const params = new URLSearchParams({ q: q.q, ...(q.mac ? { mac: q.mac } : {}) });
  return useQuery({
    queryKey: troubleshootKeys.run(q),
    queryFn: () => get<Troubleshoot>(`/troubleshoot?${params}`),
    enabled: q.q !== '',
    staleTime: 0,
    retry: false,
  });
}

/** The troubleshooter's own actions change the code: its answer, and the code lists, are stale after. */
function useCodeAction<B, R>(path: (id: string) => string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ accessCodeId, body }: { accessCodeId: string; body: B }) =>
      post<R>(path(accessCodeId), body),
    onSuccess: () => {
      for (const queryKey of [troubleshootKeys.all, codeKeys.all]) qc.invalidateQueries({ queryKey });
    },
  });
}

export const useExtendCode = () =>
  useCodeAction<ExtendCodeBody, ExtendCodeResult>((id) => `/codes/${id}/extend`);

export const useFreeDevice = () =>
  useCodeAction<FreeDeviceBody, { mac: string; devicesLeft: number }>((id) => `/codes/${id}/free-device`);
