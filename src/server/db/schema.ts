// Kysely's view of the tables (camelCase here, snake_case in SQL via CamelCasePlugin).
// Times are ISO 8601 UTC strings in both engines: one representation, ordered as text.
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export interface UsersTable {
  id: string;
  email: string; // trimmed and lower-cased; unique
  name: string;
  passwordHash: string;
  teamLimit: number | null; // null: DEFAULT_TEAM_LIMIT
  activeTeamId: string | null; // null: the default team
  createdAt: string;
}

export interface TeamsTable {
  id: string;
  name: string;
  ownerId: string; // NOT NULL: exactly one Owner, held by the schema
  isDefault: number; // 0 | 1; unique per owner when 1
  createdAt: string;
  /** Kept by triggers on memberships (migration 0011): reading it costs the same for any team size. */
  memberCount: Generated<number>;
}

export interface MembershipsTable {
  teamId: string;
  userId: string;
  roles: string; // comma-separated role names, sorted; '' for the Owner
  joinedAt: string;
}

export interface InvitationsTable {
  id: string;
  teamId: string;
  email: string;
  roles: string;
  status: string; // pending | accepted | declined | revoked | expired
  tokenHash: string;
  invitedBy: string;
  /** The API key that acted, when one did (the user column then names its creator). */
  apiKeyId: Generated<string | null>;
  createdAt: string;
  sentAt: string;
  expiresAt: string;
  respondedAt: string | null;
}

export interface SessionsTable {
  tokenHash: string;
  /**
   * Not a secret: how the dashboard names a session (the token's hash never leaves the server).
   * startSession always sets it; optional on insert only for rows written by hand (tests, tools).
   */
  id: ColumnType<string, string | undefined, never>;
  userId: string;
  /** The User-Agent the session was started with, for "which device is this". */
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface PasswordResetsTable {
  tokenHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface AuditLogTable {
  id: string; // UUIDv7: newest first is ORDER BY id DESC
  teamId: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  target: string | null;
  details: string; // JSON object
  /** user | apiKey | acmeAccount: what actorId names. */
  actorType: Generated<string>;
}

export interface OutboxTable {
  id: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  createdAt: string;
  attempts: Generated<number>;
  nextAttemptAt: string;
  sentAt: string | null;
  /** Refused for good by the receiving server (SMTP 5xx): never retried. */
  failedAt: Generated<string | null>;
  lastError: string | null;
}

export interface ProductsTable {
  id: string;
  name: string;
  type: string; // DV | OV | EV
  years: number;
  priceMinor: number;
  currency: string;
  wildcardAllowed: number;
}

export interface BillingProfilesTable {
  id: string;
  teamId: string;
  name: string;
  country: string; // ISO 3166-1 alpha-2
  cardBrand: string;
  cardLast4: string; // never more of the card than this
  street: Generated<string>;
  city: Generated<string>;
  postalCode: Generated<string>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface OrdersTable {
  id: string;
  teamId: string;
  productId: string;
  billingProfileId: string;
  status: string; // pending_validation | issued | refunded
  priceMinor: number;
  currency: string;
  createdBy: string;
  createdAt: string;
  issuedAt: string | null;
  refundedAt: string | null;
  csrPem: string | null;
  source: Generated<string>; // dashboard | api | acme
  /** The API key that acted, when one did (the user column then names its creator). */
  apiKeyId: Generated<string | null>;
  /** The ACME account that acted, when one did (migration 0013; the user column names its credential's creator). */
  acmeAccountId: Generated<string | null>;
  /** The product's years from the first issuance: no certificate of the order ends later (SPEC 17). */
  coverageEndsAt: Generated<string | null>;
  /** The notAfter of the order's newest certificate, kept by triggers (migration 0012) for the expiry sort. */
  currentNotAfter: Generated<string | null>;
}

export interface OrderDomainsTable {
  orderId: string;
  position: number;
  domain: string;
  method: string | null; // email | http | dns
  challenge: string | null; // the random value the http file or dns record must hold
  completedAt: string | null;
  /** 1 when the step started validated from the team's ledger (migration 0008). */
  reused: Generated<number>;
}

/** The team's domain ledger (SPEC 16): the newest validation of each name. */
export interface DomainValidationsTable {
  teamId: string;
  domain: string;
  method: string; // email | http | dns
  validatedAt: string;
}

/** The `email` method's approval links; the token only as its SHA-256. */
export interface DomainApprovalsTable {
  id: string;
  tokenHash: string;
  teamId: string;
  orderId: string;
  domain: string;
  approverEmail: string;
  challenge: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface TransactionsTable {
  id: string;
  teamId: string;
  orderId: string;
  billingProfileId: string;
  kind: string; // charge | refund
  amountMinor: number;
  currency: string;
  actorId: string;
  gatewayReference: string;
  /** The API key that acted, when one did (the user column then names its creator). */
  apiKeyId: Generated<string | null>;
  /** The ACME account that acted (migration 0013). */
  acmeAccountId: Generated<string | null>;
  createdAt: string;
}

export interface DocumentsTable {
  id: string;
  teamId: string;
  orderId: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  /** The API key that acted, when one did (the user column then names its creator). */
  apiKeyId: Generated<string | null>;
  createdAt: string;
}

export interface CertificatesTable {
  id: string;
  orderId: string;
  serialNumber: string;
  certificatePem: string;
  chainPem: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  revokedAt: Generated<string | null>;
  /** unspecified | keyCompromise | superseded | cessationOfOperation | affiliationChanged (SPEC 18) */
  revocationReason: Generated<string | null>;
}

export interface OrganizationProfilesTable {
  teamId: string;
  legalName: string;
  locality: string;
  country: string; // ISO 3166-1 alpha-2
  updatedAt: string;
}

export interface CertificateRemindersTable {
  certificateId: string;
  daysBefore: number; // 30 | 7 | 1
  sentAt: string;
}

export interface CaCrlNumbersTable {
  caName: string;
  crlNumber: number;
  issuedAt: string;
}

/** PostgreSQL only (migration 0014): the one demonstration CA every server loads (certs/ca-table.ts). */
export interface DemonstrationCaTable {
  id: string; // always 'demonstration'
  rootCertPem: string;
  rootKeySealed: string; // sealed with MASTER_KEY (sealer.ts), never in clear
  intermediateCertPem: string;
  intermediateKeySealed: string;
  createdAt: string;
}

/** PostgreSQL only (migration 0014): a document's bytes in order, at most 256 KiB a row. */
export interface DocumentChunksTable {
  documentId: string;
  position: number;
  bytes: Buffer;
}

export interface ApiKeysTable {
  id: string;
  teamId: string;
  name: string;
  secretHash: string; // SHA-256 of the secret, never the secret
  permissions: string; // sorted, comma-separated
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A team's External Account Binding for ACME (SPEC 20, migration 0013). */
export interface AcmeCredentialsTable {
  id: string;
  teamId: string;
  name: string;
  keyId: string;
  hmacKeySealed: string; // sealed with MASTER_KEY (sealer.ts), never in clear
  productId: string;
  billingProfileId: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AcmeAccountsTable {
  id: string;
  credentialId: string;
  teamId: string;
  thumbprint: string; // RFC 7638, SHA-256, base64url
  jwk: string; // public JWK, JSON
  contact: Generated<string>; // JSON array
  status: string; // valid | deactivated | revoked
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AcmeOrdersTable {
  orderId: string;
  accountId: string;
  expiresAt: string;
  error: string | null; // problem document JSON
  finalizedAt: string | null;
}

export interface AcmeAuthorizationsTable {
  id: string;
  orderId: string;
  position: number;
  token: string;
  status: string; // pending | valid | invalid | deactivated
  challengeType: string | null; // http-01 | dns-01
  challengeStatus: string | null; // processing | valid | invalid
  challengeStartedAt: string | null;
  error: string | null; // problem document JSON
  validatedAt: string | null;
  expiresAt: string;
}

export interface AcmeNoncesTable {
  nonceHash: string;
  expiresAt: string;
}

/** One row (id 1): moves at the commit of every change the read cache could hold (migration 0016, db/read-cache.ts). */
export interface CacheVersionTable {
  id: number;
  version: ColumnType<string | number, string | number, string | number>; // bigint: text from PostgreSQL
}

/** A rate-limit counter every server shares, PostgreSQL only (migration 0015, limits/shared-store.ts); times in ms since the epoch. */
export interface LimitCountersTable {
  limitName: string;
  key: string;
  windowStart: ColumnType<string | number, number, number>; // bigint: text from PostgreSQL
  count: number;
  last: ColumnType<string | number, number, number>;
  expiresAt: ColumnType<string | number, number, number>;
  updatedAt: ColumnType<string | number, number, number>;
}

export interface Database {
  acmeCredentials: AcmeCredentialsTable;
  acmeAccounts: AcmeAccountsTable;
  acmeOrders: AcmeOrdersTable;
  acmeAuthorizations: AcmeAuthorizationsTable;
  acmeNonces: AcmeNoncesTable;
  apiKeys: ApiKeysTable;
  products: ProductsTable;
  billingProfiles: BillingProfilesTable;
  orders: OrdersTable;
  orderDomains: OrderDomainsTable;
  domainValidations: DomainValidationsTable;
  domainApprovals: DomainApprovalsTable;
  transactions: TransactionsTable;
  documents: DocumentsTable;
  certificates: CertificatesTable;
  organizationProfiles: OrganizationProfilesTable;
  certificateReminders: CertificateRemindersTable;
  caCrlNumbers: CaCrlNumbersTable;
  demonstrationCa: DemonstrationCaTable;
  documentChunks: DocumentChunksTable;
  users: UsersTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  passwordResets: PasswordResetsTable;
  auditLog: AuditLogTable;
  outbox: OutboxTable;
  limitCounters: LimitCountersTable;
  cacheVersion: CacheVersionTable;
}

export type User = Selectable<UsersTable>;
/** A team as commands and the guard see it; its member count is read where it is shown (queries/teams.ts). */
export type Team = Omit<Selectable<TeamsTable>, "memberCount">;
export type Membership = Selectable<MembershipsTable>;
export type Invitation = Selectable<InvitationsTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
export type Product = Selectable<ProductsTable>;
export type BillingProfile = Selectable<BillingProfilesTable>;
export type Order = Selectable<OrdersTable>;
export type OrderDomain = Selectable<OrderDomainsTable>;
