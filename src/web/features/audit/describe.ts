// The audit log in words (issue 14): each action a sentence, amounts as money, roles by their
// names, and what it was done to as a link where the dashboard has a page for it (an order).
// No raw ids on screen: an id the sentence does not need is left out; the CSV keeps them all.
import type { AuditItemDto as AuditItem } from "../../../shared/schemas";
import { formatBytes, formatMoney, plural } from "../../ui/format";
import { roleLabel } from "../roles/labels";

/** The actions the filter offers, by family, in words. */
export const ACTION_GROUPS: readonly { family: string; label: string; actions: readonly [string, string][] }[] = [
  {
    family: "team",
    label: "Team",
    actions: [
      ["team.created", "Team created"],
      ["team.renamed", "Team renamed"],
      ["team.ownership_transferred", "Ownership transferred"],
      ["team.limit_changed", "Team limit changed"],
    ],
  },
  {
    family: "invitation",
    label: "Invitations",
    actions: [
      ["invitation.sent", "Invitation sent"],
      ["invitation.resent", "Invitation re-sent"],
      ["invitation.accepted", "Invitation accepted"],
      ["invitation.declined", "Invitation declined"],
      ["invitation.revoked", "Invitation revoked"],
    ],
  },
  {
    family: "member",
    label: "Members",
    actions: [
      ["member.roles_changed", "Roles changed"],
      ["member.removed", "Member removed"],
      ["member.left", "Member left"],
    ],
  },
  {
    family: "order",
    label: "Orders",
    actions: [
      ["order.placed", "Order placed"],
      ["order.refunded", "Order refunded"],
    ],
  },
  {
    family: "validation",
    label: "Validation",
    actions: [
      ["validation.method_chosen", "Validation method chosen"],
      ["validation.completed", "Domain validated"],
    ],
  },
  { family: "document", label: "Documents", actions: [["document.uploaded", "Document uploaded"]] },
  {
    family: "certificate",
    label: "Certificates",
    actions: [
      ["certificate.issued", "Certificate issued"],
      ["certificate.reissued", "Certificate reissued"],
      ["certificate.revoked", "Certificate revoked"],
      ["certificate.caa_refused", "Refused by a CAA record"],
    ],
  },
  { family: "csr", label: "CSRs", actions: [["csr.submitted", "CSR submitted"]] },
  {
    family: "billing_profile",
    label: "Billing profiles",
    actions: [
      ["billing_profile.created", "Billing profile added"],
      ["billing_profile.updated", "Billing profile changed"],
      ["billing_profile.removed", "Billing profile removed"],
    ],
  },
  {
    family: "api_key",
    label: "API keys",
    actions: [
      ["api_key.created", "API key created"],
      ["api_key.revoked", "API key revoked"],
    ],
  },
  {
    family: "acme_credential",
    label: "ACME credentials",
    actions: [
      ["acme_credential.created", "ACME credential created"],
      ["acme_credential.revoked", "ACME credential revoked"],
    ],
  },
  {
    family: "acme_account",
    label: "ACME accounts",
    actions: [
      ["acme_account.created", "ACME account registered"],
      ["acme_account.updated", "ACME account contact changed"],
      ["acme_account.key_changed", "ACME account key changed"],
      ["acme_account.deactivated", "ACME account deactivated"],
    ],
  },
];

const ACTION_WORDS = new Map(ACTION_GROUPS.flatMap((group) => group.actions));

/** "invitation.sent" → "Invitation sent"; an action this dashboard does not know yet, spelled out. */
export function actionInWords(action: string): string {
  const known = ACTION_WORDS.get(action);
  if (known) return known;
  const words = action.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A piece of a sentence: text, or a link to one of the team's pages (segments after /teams/:teamId/). */
export type Part = string | { text: string; to: string[] };

const text = (value: unknown) => (typeof value === "string" ? value : "");
const roles = (value: unknown) => (Array.isArray(value) && value.length ? value.map((r) => roleLabel(String(r))).join(", ") : "no roles");
const domains = (value: unknown) => (Array.isArray(value) ? value.map(String).join(", ") : "");
const money = (details: Record<string, unknown>) =>
  typeof details.amountMinor === "number" && typeof details.currency === "string" ? formatMoney(details.amountMinor, details.currency) : "";
const quoted = (value: unknown) => `“${text(value)}”`;

/** What happened, as a sentence without its actor: "placed an order for shop.example (€49.00)". */
export function describeEntry(entry: AuditItem): Part[] {
  const d = entry.details;
  const target = entry.target ?? "";
  const order = (label = "an order"): Part => ({ text: label, to: ["orders", target] });
  switch (entry.action) {
    case "team.created":
      return [`created the team ${quoted(d.name)}`];
    case "team.renamed":
      return [`renamed the team from ${quoted(d.from)} to ${quoted(d.to)}`];
    case "team.deleted":
      return [`deleted the team ${quoted(d.name)}`];
    case "team.ownership_transferred":
      return [`handed the team over to ${target}`];
    case "invitation.sent":
      return [`invited ${target} as ${roles(d.roles)}`];
    case "invitation.resent":
      return [`re-sent the invitation to ${target}`];
    case "invitation.accepted":
      return [`accepted the invitation for ${target}, joining as ${roles(d.roles)}`];
    case "invitation.declined":
      return [`declined the invitation for ${target}`];
    case "invitation.revoked":
      return [`revoked the invitation to ${target}`];
    case "member.roles_changed":
      return [`changed the roles of ${target} from ${roles(d.from)} to ${roles(d.to)}`];
    case "member.removed":
      return [`removed ${target} from the team`];
    case "member.left":
      return ["left the team"];
    case "order.placed":
      return ["placed ", order(), ` for ${domains(d.domains)}${money(d) ? ` (${money(d)})` : ""}`];
    case "order.refunded":
      return [`refunded ${money(d) || "the charge"} for `, order("an order")];
    case "validation.method_chosen":
      return [`chose ${text(d.method) === "email" ? "e-mail" : text(d.method).toUpperCase()} validation for ${text(d.domain)} on `, order("an order")];
    case "validation.completed":
      return [`validated ${text(d.domain) || "a domain"} on `, order("an order")];
    case "document.uploaded":
      return [
        `uploaded ${quoted(d.filename)}${typeof d.size === "number" ? ` (${formatBytes(d.size)})` : ""} to `,
        { text: "an order", to: ["orders", text(d.orderId)] },
      ];
    case "csr.submitted":
      return [`submitted a CSR for ${domains(d.names)} on `, order("an order")];
    case "certificate.issued":
      return ["issued the certificate of ", order("an order")];
    case "certificate.reissued":
      return ["reissued the certificate of ", order("an order")];
    case "certificate.revoked":
      return [`revoked a certificate${text(d.reason) ? ` (${text(d.reason)})` : ""} of `, order("an order")];
    case "certificate.caa_refused":
      return ["could not issue for ", order("an order"), `: ${text(d.reason) || "a CAA record forbids it"}`];
    case "billing_profile.created":
      return [`added the billing profile ${quoted(d.name)}${text(d.card) ? ` (${text(d.card)})` : ""}`];
    case "billing_profile.updated":
      return [`changed the billing profile ${quoted((d.to as Record<string, unknown> | undefined)?.name)}`];
    case "billing_profile.removed":
      return [`removed the billing profile ${quoted(d.name)}`];
    case "api_key.created":
      return [`created the API key ${quoted(target)}`];
    case "api_key.revoked":
      return [`revoked the API key ${quoted(target)}`];
    case "acme_credential.created":
      return [`created the ACME credential ${quoted(target)}`];
    case "acme_account.created":
      return ["registered an ACME account with a credential of the team"];
    case "acme_account.updated":
      return ["changed the contact of its ACME account"];
    case "acme_account.key_changed":
      return ["changed the key of its ACME account"];
    case "acme_account.deactivated":
      return ["deactivated its ACME account"];
    case "acme_credential.revoked":
      return [`revoked the ACME credential ${quoted(target)}${Array.isArray(d.deactivatedAccountIds) && d.deactivatedAccountIds.length ? `, deactivating ${plural(d.deactivatedAccountIds.length, "ACME account")}` : ""}`];
    case "team.limit_changed":
      return [`changed the team limit of ${target} to ${String(d.to ?? "the default")}`];
    default:
      return [actionInWords(entry.action).toLowerCase()];
  }
}
