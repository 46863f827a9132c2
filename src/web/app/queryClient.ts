import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "../api/client";
import { keys } from "../api/keys";

/**
 * Client errors (4xx) are answers, not glitches: never retried. A call that finds the
 * session gone marks the user signed out, and the route guard sends them to log in.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isApiError(error, "unauthenticated") && query.queryKey[0] !== keys.me[0]) client.setQueryData(keys.me, null);
        // A team that answers 404 is one the caller no longer belongs to: /api/me knows the
        // active team they fell back to.
        if (isApiError(error, "not_found") && query.queryKey[0] === "team") void client.invalidateQueries({ queryKey: keys.me });
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isApiError(error, "unauthenticated")) client.setQueryData(keys.me, null);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
