import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  Router,
  RouterAdded,
  RouterInput,
  RouterPatch,
  RouterSaved,
  RouterTest,
} from '../../../../../src/admin/http/api-types.ts';
import { del, get, patch, post } from '../../api.ts';

export const routerKeys = {
  all: ['routers'] as const,
  list: () => [...routerKeys.all, 'list'] as const,
};

/** Routers with their health, refreshed every 30 s while the page is open. */
export function useRouters() {
  return useQuery({
    queryKey: routerKeys.list(),
    queryFn: () => get<{ items: Router[]; warnings: string[] }>('/routers'),
    refetchInterval: 30_000,
  });
}

/** The router as saved, and on adding, the secrets Wavu made for it (shown only this once). */
export type SavedRouter = { router: RouterSaved; generated?: RouterAdded['generated'] };

/** Adds a router (`id` null) or changes router `id`. */
export function useSaveRouter(id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: RouterInput | RouterPatch): Promise<SavedRouter> =>
      id === null
        ? post<RouterAdded>('/routers', body)
        : { router: await patch<RouterSaved>(`/routers/${id}`, body) },
    onSuccess: () => qc.invalidateQueries({ queryKey: routerKeys.all }),
  });
}

export function useRemoveRouter(id: number | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => del<{ removed: boolean }>(`/routers/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: routerKeys.all }),
  });
}

export function useTestRouter(id: number | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<RouterTest>(`/routers/${id}/test`),
    onSuccess: () => qc.invalidateQueries({ queryKey: routerKeys.all }),
  });
}
