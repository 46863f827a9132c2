import type { RevocationReason } from "../../../shared/schemas";

/** The five revocation reasons (RFC 5280 CRLReason names), as a customer would put them. */
export const REASON_WORDS: Record<RevocationReason, { label: string; explain: string }> = {
  keyCompromise: {
    label: "The private key was exposed",
    explain: "Someone else may have the key (a leaked backup, a breached server). Reissue with a new key too.",
  },
  superseded: { label: "Replaced by another certificate", explain: "A newer certificate for these names is in use." },
  cessationOfOperation: { label: "No longer needed", explain: "The site or service is gone, or no longer uses these names." },
  affiliationChanged: {
    label: "The organization changed",
    explain: "The organization named in the certificate changed, or the names no longer belong to it.",
  },
  unspecified: { label: "Another reason", explain: "None of the above applies." },
};
