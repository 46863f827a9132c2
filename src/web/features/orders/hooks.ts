import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ordersApi, productsApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { OrderDto as Order, OrderFilter } from "../../../shared/schemas";

export const ORDERS_PAGE = 25;

/** The catalogue changes rarely: read once per session. */
export function useProducts() {
  return useQuery({ queryKey: keys.products, queryFn: () => productsApi.list().then((r) => r.items), staleTime: 10 * 60_000 });
}

/** The team's orders a page at a time, narrowed and sorted by the server (newest first unless `sort`). */
export function useOrders(teamId: string, filter: OrderFilter) {
  return useInfiniteQuery({
    queryKey: keys.orders(teamId, filter),
    queryFn: ({ pageParam }) => ordersApi.list(teamId, { limit: ORDERS_PAGE, cursor: pageParam, ...filter }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // The last list stays up while a new filter loads, but never another team's.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === teamId ? previous : undefined),
  });
}

export function useOrder(teamId: string, orderId: string) {
  return useQuery({ queryKey: keys.order(teamId, orderId), queryFn: () => ordersApi.get(teamId, orderId).then((r) => r.order) });
}

/** After a call that answers with the order: keep it, and let the lists read afresh. */
export function useOrderChanged(teamId: string) {
  const queryClient = useQueryClient();
  return async (order: Order) => {
    queryClient.setQueryData(keys.order(teamId, order.id), order);
    await queryClient.invalidateQueries({ queryKey: [...keys.ordersAll(teamId), "list"] });
  };
}

export function usePlaceOrder(teamId: string) {
  const queryClient = useQueryClient();
  const changed = useOrderChanged(teamId);
  return useMutation({
    mutationFn: (body: { productId: string; domains: string[]; billingProfileId: string }) => ordersApi.create(teamId, body).then((r) => r.order),
    onSuccess: async (order) => {
      await Promise.all([changed(order), queryClient.invalidateQueries({ queryKey: keys.transactions(teamId) })]);
    },
  });
}

export function useRefundOrder(teamId: string) {
  const queryClient = useQueryClient();
  const changed = useOrderChanged(teamId);
  return useMutation({
    mutationFn: (orderId: string) => ordersApi.refund(teamId, orderId).then((r) => r.order),
    onSuccess: async (order) => {
      await Promise.all([changed(order), queryClient.invalidateQueries({ queryKey: keys.transactions(teamId) })]);
    },
    onError: async (_error, orderId) => {
      // Refunded meanwhile, or the window closed: show the order as it is now.
      await queryClient.invalidateQueries({ queryKey: keys.order(teamId, orderId) });
    },
  });
}
