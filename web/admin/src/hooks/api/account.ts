/**
 * The signed-in account: who it is, its CSRF token, and what its role may do. `useCan` answers
 * from the permissions the server sends (the POLICY route keys, src/admin/policy.ts), so the
 * dashboard shows only what the server would allow, with no second list of roles here.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Permission } from '../../../../../src/admin/http/api-types.ts';
import { ApiError, get, type Me, post, setCsrf, setOnSignedOut } from '../../api.ts';

export const meKeys = {
  all: ['me'] as const,
};

/** Not under `me`: a sign-in or sign-out drops it with the rest, so setup is asked again. */
export const setupKeys = {
  all: ['setup'] as const,
};

export function useMe() {
  return useQuery({
    queryKey: meKeys.all,
    queryFn: async (): Promise<Me | null> => {
      try {
        const m = await get<Me>('/me');
        setCsrf(m.csrfToken);
        return m;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** `can('POST /api/admin/plans')`: whether the signed-in role may call that route. */
export function useCan(): (p: Permission) => boolean {
  const me = useMe().data;
  return (p) => me?.permissions.includes(p) ?? false;
}

/** Whether the first owner still has to be created (the sign-in page then offers setup). */
export function useSetupState() {
  return useQuery({
    queryKey: setupKeys.all,
    queryFn: () => get<{ needsSetup: boolean }>('/setup'),
  });
}

export const signIn = (first: boolean, body: { username: string; password: string }) =>
  post<Me>(first ? '/setup' : '/login', body);

/**
 * Signing in or out: another account's data must not show afterwards, so everything but the
 * `me` query (which the app keeps observing) is dropped, then `me` is set.
 */
export function useSwitchAccount(): (m: Me | null) => void {
  const qc = useQueryClient();
  return (m) => {
    if (m) setCsrf(m.csrfToken);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKeys.all[0] });
    qc.setQueryData(meKeys.all, m);
  };
}

/** When any call answers 401 (the session ended elsewhere or timed out), show the sign-in page. */
export function useSignedOutWatch() {
  const qc = useQueryClient();
  useEffect(() => setOnSignedOut(() => qc.setQueryData(meKeys.all, null)), [qc]);
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      post<{ ok: true }>('/me/password', body),
  });
}
