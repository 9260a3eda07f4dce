/** A keyset-paged list endpoint (`items` and `nextCursor`) as an infinite query. */
import { type InfiniteData, type UseInfiniteQueryResult, useInfiniteQuery } from '@tanstack/react-query';
import type { Paged } from '../../../../../src/admin/http/api-types.ts';
import { get, qs } from '../../api.ts';

export type PagedQuery<T> = UseInfiniteQueryResult<InfiniteData<Paged<T>>, Error>;

export function usePagedQuery<T>(
  queryKey: readonly unknown[],
  path: string,
  filters: Record<string, string | number | boolean | undefined>,
  refetchMs?: number,
): PagedQuery<T> {
  return useInfiniteQuery({
    ...(refetchMs ? { refetchInterval: refetchMs } : {}),
    queryKey,
    queryFn: ({ pageParam }) => get<Paged<T>>(`${path}${qs({ ...filters, cursor: pageParam ?? undefined })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
