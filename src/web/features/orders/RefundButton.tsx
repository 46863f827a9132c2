import { useState } from "react";
import type { OrderDto as Order } from "../../../shared/schemas";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { formatDate, formatMoney } from "../../ui/format";
import { useToast } from "../../ui/Toast";
import { useRefundOrder } from "./hooks";

const WINDOW_DAYS = 30;

/** Refund with a confirmation; the server's 409 (window closed, already refunded) shows in the dialog. */
export function RefundButton({ teamId, order }: { teamId: string; order: Order }) {
  const [open, setOpen] = useState(false);
  const refund = useRefundOrder(teamId);
  const toast = useToast();
  const price = formatMoney(order.priceMinor, order.currency);
  const closes = new Date(Date.parse(order.createdAt) + WINDOW_DAYS * 86_400_000).toISOString();
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Refund
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          setOpen(false);
          refund.reset();
        }}
        title="Refund this order?"
        confirmLabel={`Refund ${price}`}
        pending={refund.isPending}
        error={refund.error}
        onConfirm={() =>
          refund.mutate(order.id, {
            onSuccess: () => {
              setOpen(false);
              toast.success(`Refunded ${price}.`);
            },
          })
        }
      >
        <p>
          {price} goes back to the billing profile it was charged to. The order closes: no more validation, CSRs or certificates for it{order.status === "issued" ? ", and its certificate should no longer be used" : ""}.
        </p>
        <p className="muted small">Refunds are possible for {WINDOW_DAYS} days after the charge (until {formatDate(closes)}).</p>
      </ConfirmDialog>
    </>
  );
}
