import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiKeysApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { NewApiKeyInput as NewApiKey } from "../../../shared/schemas";

/** The team's API keys, newest first, a page at a time (`nextCursor`). */
export function useApiKeys(teamId: string) {
  return useInfiniteQuery({
    queryKey: keys.apiKeys(teamId),
    queryFn: ({ pageParam }) => apiKeysApi.list(teamId, { cursor: pageParam, limit: 25 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCreateApiKey(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiKey) => apiKeysApi.create(teamId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.apiKeys(teamId) }),
  });
}

export function useRevokeApiKey(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (apiKeyId: string) => apiKeysApi.revoke(teamId, apiKeyId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.apiKeys(teamId) }),
  });
}
