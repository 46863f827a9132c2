import { useMutation } from "@tanstack/react-query";
import { certificatesApi } from "../../api/endpoints";
import { useOrderChanged } from "../orders/hooks";

/** Submit a CSR: issues when every domain is validated, reissues on an issued order. */
export function useSubmitCsr(teamId: string, orderId: string) {
  const changed = useOrderChanged(teamId);
  return useMutation({
    mutationFn: (csr: string) => certificatesApi.submitCsr(teamId, orderId, csr).then((r) => r.order),
    onSuccess: changed,
  });
}
