import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { certificatesApi } from "../../api/endpoints";
import type { OrderDto as Order, RevocationReason } from "../../../shared/schemas";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { useToast } from "../../ui/Toast";
import { useOrderChanged } from "../orders/hooks";
import { REASON_WORDS } from "./words";

const REASONS = Object.keys(REASON_WORDS) as RevocationReason[];

/** Revoke the order's certificate (SPEC 18) with one of the five reasons, each explained. */
export function RevokeButton({ teamId, order }: { teamId: string; order: Order }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<RevocationReason | null>(null);
  const changed = useOrderChanged(teamId);
  const toast = useToast();
  const revoke = useMutation({
    mutationFn: (why: RevocationReason) => certificatesApi.revoke(teamId, order.id, why).then((r) => r.order),
    onSuccess: changed,
  });
  const close = () => {
    setOpen(false);
    setReason(null);
    revoke.reset();
  };
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Revoke
      </Button>
      <Dialog open={open} onClose={close} title="Revoke this certificate?" busy={revoke.isPending} description="certdesk lists it in its CRL and answers OCSP with its reason at once. This cannot be undone.">
        {open ? (
          <form
            className="stack"
            onSubmit={(event) => {
              event.preventDefault();
              if (!reason) return;
              revoke.mutate(reason, {
                onSuccess: () => {
                  toast.success(`Revoked the certificate: ${REASON_WORDS[reason].label.toLowerCase()}.`);
                  close();
                },
              });
            }}
          >
            <fieldset className="reason-list">
              <legend className="field-label">Why?</legend>
              {REASONS.map((value) => (
                <label key={value} className="reason-option">
                  <input type="radio" name="reason" value={value} checked={reason === value} onChange={() => setReason(value)} />
                  <span>
                    <span className="strong">{REASON_WORDS[value].label}</span>
                    <span className="muted small block">{REASON_WORDS[value].explain}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {revoke.error ? <ErrorAlert error={revoke.error} /> : null}
            <div className="dialog-footer">
              <Button type="button" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" pending={revoke.isPending} disabled={!reason}>
                Revoke certificate
              </Button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </>
  );
}
