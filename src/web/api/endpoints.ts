// One function per call of API.md. Features wrap these in TanStack Query hooks.
import { http, withQuery } from "./client";
import type { UploadOptions } from "./client";
import type { Role } from "../../shared/permissions";
import type {
  AccountSessionDto,
  AcmeCredentialPageDto,
  CreatedAcmeCredentialDto,
  NewAcmeCredentialInput,
  ApiKeyDto,
  AuditFilter,
  AuditItemDto,
  BillingProfileDto,
  BillingProfilePatchInput,
  ChangePasswordInput,
  CreatedApiKeyDto,
  DocumentDto,
  InvitationDto,
  InvitationPreviewDto,
  InvitationStatus,
  LedgerEntryDto,
  LogInInput,
  MeDto,
  MemberDto,
  NewApiKeyInput,
  NewBillingProfileInput,
  NewInvitationInput,
  NewOrderInput,
  OrderDto,
  OrderFilter,
  OrganizationProfileDto,
  OrganizationProfileInput,
  Page,
  PageQuery,
  PasswordResetConfirmInput,
  PasswordResetInput,
  ProductDto,
  RevocationReason,
  ServerSettingsDto,
  SignUpInput,
  TeamContentsDto,
  TeamDetailDto,
  TeamSummaryDto,
  TransactionDto,
  UserDto,
  ValidationMethod,
} from "../../shared/schemas";

const enc = encodeURIComponent;
const team = (teamId: string) => `/teams/${enc(teamId)}`;
const order = (teamId: string, orderId: string) => `${team(teamId)}/orders/${enc(orderId)}`;
/** A domain as a path segment: encodeURIComponent leaves a wildcard's "*" alone, the server expects %2A. */
const domainSegment = (domain: string) => enc(domain).replace(/\*/g, "%2A");

export const settingsApi = {
  get: () => http.get<ServerSettingsDto>("/settings"),
};

export const authApi = {
  signup: (body: SignUpInput) => http.post<{ user: UserDto }>("/auth/signup", body),
  login: (body: LogInInput) => http.post<{ user: UserDto }>("/auth/login", body),
  logout: () => http.post<void>("/auth/logout"),
  requestPasswordReset: (body: PasswordResetInput) => http.post<void>("/auth/password-reset", body),
  confirmPasswordReset: (body: PasswordResetConfirmInput) =>
    http.post<void>("/auth/password-reset/confirm", body),
};

export const meApi = {
  get: () => http.get<MeDto>("/me"),
  setActiveTeam: (teamId: string) => http.put<{ activeTeam: TeamSummaryDto }>("/me/active-team", { teamId }),
  rename: (name: string) => http.patch<{ user: UserDto }>("/me", { name }),
  changePassword: (body: ChangePasswordInput) => http.post<{ ended: number }>("/me/password", body),
  sessions: () => http.get<{ items: AccountSessionDto[] }>("/me/sessions"),
  endSession: (sessionId: string) => http.delete<void>(`/me/sessions/${enc(sessionId)}`),
  endOtherSessions: () => http.post<{ ended: number }>("/me/sessions/end-others"),
};

export const teamsApi = {
  list: () => http.get<{ items: TeamSummaryDto[] }>("/teams"),
  create: (name: string) => http.post<{ team: TeamSummaryDto }>("/teams", { name }),
  get: (teamId: string) => http.get<{ team: TeamDetailDto }>(team(teamId)),
  deletionPreview: (teamId: string) => http.get<TeamContentsDto>(`${team(teamId)}/deletion-preview`),
  rename: (teamId: string, name: string) => http.patch<{ team: TeamDetailDto }>(team(teamId), { name }),
  remove: (teamId: string) => http.delete(team(teamId)),
  transfer: (teamId: string, userId: string) => http.post<{ team: TeamDetailDto }>(`${team(teamId)}/transfer`, { userId }),
};

export const membersApi = {
  list: (teamId: string, query: PageQuery & { q?: string }) =>
    http.get<Page<MemberDto>>(`${team(teamId)}/members`, query),
  updateRoles: (teamId: string, userId: string, roles: Role[]) =>
    http.patch<{ member: MemberDto }>(`${team(teamId)}/members/${enc(userId)}`, { roles }),
  remove: (teamId: string, userId: string) => http.delete(`${team(teamId)}/members/${enc(userId)}`),
};

export const invitationsApi = {
  list: (teamId: string, query: PageQuery & { status?: InvitationStatus }) =>
    http.get<Page<InvitationDto>>(`${team(teamId)}/invitations`, query),
  create: (teamId: string, body: NewInvitationInput) =>
    http.post<{ invitation: InvitationDto }>(`${team(teamId)}/invitations`, body),
  resend: (teamId: string, invitationId: string) =>
    http.post<{ invitation: InvitationDto }>(`${team(teamId)}/invitations/${enc(invitationId)}/resend`),
  revoke: (teamId: string, invitationId: string) => http.delete(`${team(teamId)}/invitations/${enc(invitationId)}`),
  // By token: the e-mailed link.
  view: (token: string) => http.get<InvitationPreviewDto>(`/invitations/${enc(token)}`),
  accept: (token: string) => http.post<{ team: TeamSummaryDto }>(`/invitations/${enc(token)}/accept`),
  decline: (token: string) => http.post<void>(`/invitations/${enc(token)}/decline`),
};

export const auditApi = {
  list: (teamId: string, query: PageQuery & AuditFilter) =>
    http.get<Page<AuditItemDto>>(`${team(teamId)}/audit`, query),
  /** The CSV download's address: the browser fetches it itself (a link), so the file streams to disk. */
  csvUrl: (teamId: string, filter: AuditFilter) => `/api${withQuery(`${team(teamId)}/audit.csv`, filter)}`,
};

export const apiKeysApi = {
  list: (teamId: string, query: PageQuery) => http.get<Page<ApiKeyDto>>(`${team(teamId)}/api-keys`, query),
  create: (teamId: string, body: NewApiKeyInput) => http.post<CreatedApiKeyDto>(`${team(teamId)}/api-keys`, body),
  revoke: (teamId: string, apiKeyId: string) => http.delete(`${team(teamId)}/api-keys/${enc(apiKeyId)}`),
};

export const acmeCredentialsApi = {
  list: (teamId: string, query: PageQuery) => http.get<AcmeCredentialPageDto>(`${team(teamId)}/acme-credentials`, query),
  create: (teamId: string, body: NewAcmeCredentialInput) => http.post<CreatedAcmeCredentialDto>(`${team(teamId)}/acme-credentials`, body),
  revoke: (teamId: string, credentialId: string) => http.delete(`${team(teamId)}/acme-credentials/${enc(credentialId)}`),
};

// The certificate account.

export const productsApi = {
  list: () => http.get<{ items: ProductDto[] }>("/products"),
};

export const ordersApi = {
  list: (teamId: string, query: PageQuery & OrderFilter) => http.get<Page<OrderDto>>(`${team(teamId)}/orders`, query),
  get: (teamId: string, orderId: string) => http.get<{ order: OrderDto }>(order(teamId, orderId)),
  create: (teamId: string, body: NewOrderInput) =>
    http.post<{ order: OrderDto }>(`${team(teamId)}/orders`, body),
  refund: (teamId: string, orderId: string) => http.post<{ order: OrderDto }>(`${order(teamId, orderId)}/refund`),
};

export const billingApi = {
  listProfiles: (teamId: string, query: PageQuery) => http.get<Page<BillingProfileDto>>(`${team(teamId)}/billing-profiles`, query),
  createProfile: (teamId: string, body: NewBillingProfileInput) =>
    http.post<{ billingProfile: BillingProfileDto }>(`${team(teamId)}/billing-profiles`, body),
  updateProfile: (teamId: string, profileId: string, body: BillingProfilePatchInput) =>
    http.patch<{ billingProfile: BillingProfileDto }>(`${team(teamId)}/billing-profiles/${enc(profileId)}`, body),
  removeProfile: (teamId: string, profileId: string) => http.delete(`${team(teamId)}/billing-profiles/${enc(profileId)}`),
  listTransactions: (teamId: string, query: PageQuery & { orderId?: string }) =>
    http.get<Page<TransactionDto>>(`${team(teamId)}/transactions`, query),
};

export const validationApi = {
  /** `approverEmail`: for `email`, which of the five constructed addresses the approval goes to. */
  chooseMethod: (teamId: string, orderId: string, domain: string, method: ValidationMethod, approverEmail?: string) =>
    http.post<{ order: OrderDto }>(`${order(teamId, orderId)}/validation/${domainSegment(domain)}`, approverEmail ? { method, approverEmail } : { method }),
  /** certdesk looks for the file, the record or the approval now; 422 validation_failed says what it found. */
  check: (teamId: string, orderId: string, domain: string) =>
    http.post<{ order: OrderDto }>(`${order(teamId, orderId)}/validation/${domainSegment(domain)}/check`),
};

export const organizationApi = {
  get: (teamId: string) => http.get<{ organization: OrganizationProfileDto | null }>(`${team(teamId)}/organization`),
  put: (teamId: string, body: OrganizationProfileInput) => http.put<{ organization: OrganizationProfileDto | null }>(`${team(teamId)}/organization`, body),
};

export const domainsApi = {
  ledger: (teamId: string, query: PageQuery) => http.get<Page<LedgerEntryDto>>(`${team(teamId)}/domains`, query),
  /** The e-mailed approval link's answer: no session needed, the token is the e-mail's. */
  approve: (token: string) => http.post<{ domain: string }>(`/domain-approvals/${enc(token)}`),
};

export const documentsApi = {
  list: (teamId: string, orderId: string, query: PageQuery) => http.get<Page<DocumentDto>>(`${order(teamId, orderId)}/documents`, query),
  /** multipart/form-data with the one field `file`. */
  upload: (teamId: string, orderId: string, file: File, options?: UploadOptions) => {
    const form = new FormData();
    form.append("file", file, file.name);
    return http.upload<{ document: DocumentDto }>(`${order(teamId, orderId)}/documents`, form, options);
  },
  /** For a plain <a href download>: the session cookie goes with it. */
  downloadUrl: (teamId: string, orderId: string, documentId: string) => `/api${order(teamId, orderId)}/documents/${enc(documentId)}`,
};

export const certificatesApi = {
  submitCsr: (teamId: string, orderId: string, csr: string) => http.post<{ order: OrderDto }>(`${order(teamId, orderId)}/csr`, { csr }),
  /** The leaf, then the chain, as application/x-pem-file. */
  downloadUrl: (teamId: string, orderId: string) => `/api${order(teamId, orderId)}/certificate`,
  revoke: (teamId: string, orderId: string, reason: RevocationReason) => http.post<{ order: OrderDto }>(`${order(teamId, orderId)}/revoke`, { reason }),
};
