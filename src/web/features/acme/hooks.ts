import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { acmeCredentialsApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { NewAcmeCredentialInput as NewAcmeCredential } from "../../../shared/schemas";

/** The team's ACME credentials with their accounts, newest first, a page at a time (`nextCursor`). */
export function useAcmeCredentials(teamId: string) {
  return useInfiniteQuery({
    queryKey: keys.acmeCredentials(teamId),
    queryFn: ({ pageParam }) => acmeCredentialsApi.list(teamId, { cursor: pageParam, limit: 25 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCreateAcmeCredential(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAcmeCredential) => acmeCredentialsApi.create(teamId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.acmeCredentials(teamId) }),
  });
}

export function useRevokeAcmeCredential(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentialId: string) => acmeCredentialsApi.revoke(teamId, credentialId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.acmeCredentials(teamId) }),
  });
}
