import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { documentsApi, validationApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { ValidationMethod } from "../../../shared/schemas";
import { useOrderChanged } from "../orders/hooks";

export const DOCUMENTS_PAGE = 25;

export function useChooseMethod(teamId: string, orderId: string) {
  const changed = useOrderChanged(teamId);
  return useMutation({
    mutationFn: ({ domain, method, approverEmail }: { domain: string; method: ValidationMethod; approverEmail?: string }) =>
      validationApi.chooseMethod(teamId, orderId, domain, method, approverEmail).then((r) => r.order),
    onSuccess: changed,
  });
}

/** "Check now": certdesk looks for the value itself; a 422 validation_failed says what it found instead. */
export function useCheckStep(teamId: string, orderId: string) {
  const changed = useOrderChanged(teamId);
  return useMutation({
    mutationFn: (domain: string) => validationApi.check(teamId, orderId, domain).then((r) => r.order),
    onSuccess: changed,
  });
}

/** The five addresses BR 3.2.2.4.4 allows for the email method, as the server constructs them (a wildcard's base name). */
export function approverAddresses(domain: string): string[] {
  const name = domain.replace(/^\*\./, "");
  return ["admin", "administrator", "webmaster", "hostmaster", "postmaster"].map((box) => `${box}@${name}`);
}

export function useDocuments(teamId: string, orderId: string) {
  return useInfiniteQuery({
    queryKey: keys.documents(teamId, orderId),
    queryFn: ({ pageParam }) => documentsApi.list(teamId, orderId, { limit: DOCUMENTS_PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Uploads one file with its progress (0 to 1); `cancel` aborts the request under way. */
export function useUploadDocument(teamId: string, orderId: string) {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState(0);
  const [controller, setController] = useState<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: (file: File) => {
      const abort = new AbortController();
      setController(abort);
      setProgress(0);
      return documentsApi.upload(teamId, orderId, file, { onProgress: setProgress, signal: abort.signal }).then((r) => r.document);
    },
    onSettled: () => setController(null),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.documents(teamId, orderId) });
    },
  });
  return { ...mutation, progress, cancel: () => controller?.abort() };
}
