// DTOs exactly as API.md describes them. Ids are opaque strings; times ISO 8601 UTC.
import type { Permission, Role } from "../../shared/permissions";

export type { Permission, Role };

export interface User {
  id: string;
  email: string;
  name: string;
  teamLimit: number;
  createdAt: string;
}

/** A team as seen by the caller: their roles there ([] for the Owner) and effective permissions. */
export interface TeamSummary {
  id: string;
  name: string;
  isDefault: boolean;
  isOwner: boolean;
  roles: Role[];
  permissions: Permission[];
}

export interface Me {
  user: User;
  activeTeam: TeamSummary;
  teams: TeamSummary[];
}

export interface PersonRef {
  id: string;
  email: string;
  name: string;
}

export interface TeamDetail extends TeamSummary {
  owner: PersonRef;
  memberCount: number;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  roles: Role[];
  isOwner: boolean;
  joinedAt: string;
}

export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked" | "expired";

/** `invitedBy` is documented without a shape; the server may send a name, an e-mail or a person. */
export type InvitedBy = string | { id?: string; email?: string; name?: string } | null | undefined;

export interface Invitation {
  id: string;
  email: string;
  roles: Role[];
  status: InvitationStatus;
  invitedBy: InvitedBy;
  createdAt: string;
  expiresAt: string;
}

/** GET /api/invitations/:token: the offer while it is pending; once it has ended, only its status. */
export type PublicInvitation = OpenInvitation | { status: Exclude<InvitationStatus, "pending"> };

export interface OpenInvitation {
  teamName: string;
  invitedBy: InvitedBy;
  email: string;
  roles: Role[];
  expiresAt: string;
  status: "pending";
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; email: string } | null;
  action: string;
  target: unknown;
  details: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// The certificate account.

export type ProductType = "DV" | "OV" | "EV";

export interface Product {
  id: string;
  name: string;
  type: ProductType;
  years: number;
  /** In the currency's minor unit (cents). */
  priceMinor: number;
  currency: string;
  wildcardAllowed: boolean;
}

/** The brands the server accepts; a card is known by its brand and last four digits only. */
export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "jcb", "diners", "unionpay"] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export interface BillingProfileInput {
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  cardBrand: CardBrand;
  cardLast4: string;
}

export interface BillingProfile extends BillingProfileInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface Transaction {
  id: string;
  kind: "charge" | "refund";
  amountMinor: number;
  currency: string;
  orderId: string;
  billingProfileId: string;
  actor: { id: string; email: string };
  gatewayReference: string;
  createdAt: string;
}

export type ValidationMethod = "email" | "http" | "dns";

export type ValidationInstructions =
  | { method: "email"; approverEmails: string[] }
  | { method: "http"; url: string; content: string }
  | { method: "dns"; recordName: string; recordType: "TXT"; recordValue: string };

export interface ValidationStep {
  domain: string;
  method: ValidationMethod | null;
  completed: boolean;
  completedAt: string | null;
  instructions: ValidationInstructions | null;
}

export type OrderStatus = "pending_validation" | "issued" | "refunded";

export interface Order {
  id: string;
  productId: string;
  domains: string[];
  status: OrderStatus;
  validation: ValidationStep[];
  priceMinor: number;
  currency: string;
  billingProfileId: string;
  csrOnFile: boolean;
  createdAt: string;
  issuedAt: string | null;
  refundedAt: string | null;
  certificate: { serialNumber: string; notBefore: string; notAfter: string } | null;
}

export type DocumentMediaType = "application/pdf" | "image/png" | "image/jpeg";

export interface ValidationDocument {
  id: string;
  orderId: string;
  filename: string;
  mediaType: DocumentMediaType;
  size: number;
  sha256: string;
  uploadedBy: { id: string; email: string };
  createdAt: string;
}

/** A team's API key (API.md "Machine access"); its secret is only ever in the answer that created it. */
export interface ApiKey {
  id: string;
  name: string;
  permissions: Permission[];
  createdBy: { id: string; email: string };
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  permissions: Permission[];
  expiresAt?: string | null;
}
