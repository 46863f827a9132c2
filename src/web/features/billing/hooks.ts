import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { billingApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { NewBillingProfileInput as BillingProfileInput } from "../../../shared/schemas";

export const PROFILES_PAGE = 25;
export const TRANSACTIONS_PAGE = 25;

/** Billing profiles, a page at a time, for the Billing page. */
export function useBillingProfiles(teamId: string) {
  return useInfiniteQuery({
    queryKey: [...keys.billingProfiles(teamId), "pages"],
    queryFn: ({ pageParam }) => billingApi.listProfiles(teamId, { limit: PROFILES_PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Up to 100 profiles for a picker (a team rarely has more than a handful). */
export function useBillingProfileOptions(teamId: string, enabled = true) {
  return useQuery({
    queryKey: [...keys.billingProfiles(teamId), "options"],
    queryFn: () => billingApi.listProfiles(teamId, { limit: 100 }),
    enabled,
  });
}

export function useSaveBillingProfile(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: BillingProfileInput }) =>
      (id ? billingApi.updateProfile(teamId, id, input) : billingApi.createProfile(teamId, input)).then((r) => r.billingProfile),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.billingProfiles(teamId) });
    },
  });
}

export function useRemoveBillingProfile(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => billingApi.removeProfile(teamId, id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.billingProfiles(teamId) });
    },
  });
}

/** The ledger, newest first. */
export function useTransactions(teamId: string) {
  return useInfiniteQuery({
    queryKey: keys.transactions(teamId),
    queryFn: ({ pageParam }) => billingApi.listTransactions(teamId, { limit: TRANSACTIONS_PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
