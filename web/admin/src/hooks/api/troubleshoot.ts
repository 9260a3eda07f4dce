import { useQuery } from '@tanstack/react-query';
import type { Troubleshoot, TroubleshootQuery } from '../../../../../src/admin/http/api-types.ts';
import { get } from '../../api.ts';

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
