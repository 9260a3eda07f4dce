import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Session, SessionFilters } from '../../../../../src/admin/http/api-types.ts';
import { post } from '../../api.ts';
import { usePagedQuery } from './paged.ts';

export const sessionKeys = {
  all: ['sessions'] as const,
  list: (filters: SessionFilters) => [...sessionKeys.all, 'list', filters] as const,
};

/** `refetchMs`: keep refreshing while shown (live sessions change under the page). */
export const useSessions = (filters: SessionFilters, refetchMs?: number) =>
  usePagedQuery<Session>(sessionKeys.list(filters), '/sessions', filters, refetchMs);

/** Queues a disconnect (the router drops the session shortly); `onQueued` gets the session id. */
export function useDisconnectSession(onQueued?: (id: string) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => post<{ queued: boolean }>(`/sessions/${id}/disconnect`),
    onSuccess: (_r, id) => {
      onQueued?.(id);
      qc.invalidateQueries({ queryKey: sessionKeys.all });
    },
  });
}
