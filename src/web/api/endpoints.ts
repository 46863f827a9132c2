// One function per call of API.md. Features wrap these in TanStack Query hooks.
import { http } from "./client";
import type { UploadOptions } from "./client";
import type {
  ApiKey,
  AuditEntry,
  BillingProfile,
  BillingProfileInput,
  Invitation,
  InvitationStatus,
  Me,
  Member,
  NewApiKey,
  Order,
  OrderStatus,
  Page,
  Product,
  PublicInvitation,
  Role,
  TeamDetail,
  TeamSummary,
  Transaction,
  User,
  ValidationDocument,
  ValidationMethod,
} from "./types";

const enc = encodeURIComponent;
const team = (teamId: string) => `/teams/${enc(teamId)}`;
const order = (teamId: string, orderId: string) => `${team(teamId)}/orders/${enc(orderId)}`;
/** A domain as a path segment: encodeURIComponent leaves a wildcard's "*" alone, the server expects %2A. */
const domainSegment = (domain: string) => enc(domain).replace(/\*/g, "%2A");

type PageQuery = { limit?: number; cursor?: string | null };

export const authApi = {
  signup: (body: { name: string; email: string; password: string }) => http.post<{ user: User }>("/auth/signup", body),
  login: (body: { email: string; password: string }) => http.post<{ user: User }>("/auth/login", body),
  logout: () => http.post<void>("/auth/logout"),
  requestPasswordReset: (body: { email: string }) => http.post<void>("/auth/password-reset", body),
  confirmPasswordReset: (body: { token: string; password: string }) =>
    http.post<void>("/auth/password-reset/confirm", body),
};

export const meApi = {
  get: () => http.get<Me>("/me"),
  setActiveTeam: (teamId: string) => http.put<{ activeTeam: TeamSummary }>("/me/active-team", { teamId }),
};

export const teamsApi = {
  list: () => http.get<{ items: TeamSummary[] }>("/teams"),
  create: (name: string) => http.post<{ team: TeamSummary }>("/teams", { name }),
  get: (teamId: string) => http.get<{ team: TeamDetail }>(team(teamId)),
  rename: (teamId: string, name: string) => http.patch<{ team: TeamDetail }>(team(teamId), { name }),
  remove: (teamId: string) => http.delete(team(teamId)),
  transfer: (teamId: string, userId: string) => http.post<{ team: TeamDetail }>(`${team(teamId)}/transfer`, { userId }),
};

export const membersApi = {
  list: (teamId: string, query: { limit?: number; cursor?: string | null; q?: string }) =>
    http.get<Page<Member>>(`${team(teamId)}/members`, query),
  updateRoles: (teamId: string, userId: string, roles: Role[]) =>
    http.patch<{ member: Member }>(`${team(teamId)}/members/${enc(userId)}`, { roles }),
  remove: (teamId: string, userId: string) => http.delete(`${team(teamId)}/members/${enc(userId)}`),
};

export const invitationsApi = {
  list: (teamId: string, query: { status?: InvitationStatus; cursor?: string | null; limit?: number }) =>
    http.get<Page<Invitation>>(`${team(teamId)}/invitations`, query),
  create: (teamId: string, body: { email: string; roles: Role[] }) =>
    http.post<{ invitation: Invitation }>(`${team(teamId)}/invitations`, body),
  resend: (teamId: string, invitationId: string) =>
    http.post<{ invitation: Invitation }>(`${team(teamId)}/invitations/${enc(invitationId)}/resend`),
  revoke: (teamId: string, invitationId: string) => http.delete(`${team(teamId)}/invitations/${enc(invitationId)}`),
  // By token: the e-mailed link.
  view: (token: string) => http.get<PublicInvitation>(`/invitations/${enc(token)}`),
  accept: (token: string) => http.post<{ team: TeamSummary }>(`/invitations/${enc(token)}/accept`),
  decline: (token: string) => http.post<void>(`/invitations/${enc(token)}/decline`),
};

export const auditApi = {
  list: (teamId: string, query: { limit?: number; cursor?: string | null }) =>
    http.get<Page<AuditEntry>>(`${team(teamId)}/audit`, query),
};

export const apiKeysApi = {
  list: (teamId: string, query: PageQuery) => http.get<Page<ApiKey>>(`${team(teamId)}/api-keys`, query),
  create: (teamId: string, body: NewApiKey) => http.post<{ apiKey: ApiKey; secret: string }>(`${team(teamId)}/api-keys`, body),
  revoke: (teamId: string, apiKeyId: string) => http.delete(`${team(teamId)}/api-keys/${enc(apiKeyId)}`),
};

// The certificate account.

export const productsApi = {
  list: () => http.get<{ items: Product[] }>("/products"),
};

export const ordersApi = {
  list: (teamId: string, query: PageQuery & { status?: OrderStatus }) => http.get<Page<Order>>(`${team(teamId)}/orders`, query),
  get: (teamId: string, orderId: string) => http.get<{ order: Order }>(order(teamId, orderId)),
  create: (teamId: string, body: { productId: string; domains: string[]; billingProfileId: string }) =>
    http.post<{ order: Order }>(`${team(teamId)}/orders`, body),
  refund: (teamId: string, orderId: string) => http.post<{ order: Order }>(`${order(teamId, orderId)}/refund`),
};

export const billingApi = {
  listProfiles: (teamId: string, query: PageQuery) => http.get<Page<BillingProfile>>(`${team(teamId)}/billing-profiles`, query),
  createProfile: (teamId: string, body: BillingProfileInput) =>
    http.post<{ billingProfile: BillingProfile }>(`${team(teamId)}/billing-profiles`, body),
  updateProfile: (teamId: string, profileId: string, body: Partial<BillingProfileInput>) =>
    http.patch<{ billingProfile: BillingProfile }>(`${team(teamId)}/billing-profiles/${enc(profileId)}`, body),
  removeProfile: (teamId: string, profileId: string) => http.delete(`${team(teamId)}/billing-profiles/${enc(profileId)}`),
  listTransactions: (teamId: string, query: PageQuery & { orderId?: string }) =>
    http.get<Page<Transaction>>(`${team(teamId)}/transactions`, query),
};

export const validationApi = {
  chooseMethod: (teamId: string, orderId: string, domain: string, method: ValidationMethod) =>
    http.post<{ order: Order }>(`${order(teamId, orderId)}/validation/${domainSegment(domain)}`, { method }),
  complete: (teamId: string, orderId: string, domain: string) =>
    http.post<{ order: Order }>(`${order(teamId, orderId)}/validation/${domainSegment(domain)}/complete`),
};

export const documentsApi = {
  list: (teamId: string, orderId: string, query: PageQuery) => http.get<Page<ValidationDocument>>(`${order(teamId, orderId)}/documents`, query),
  /** multipart/form-data with the one field `file`. */
  upload: (teamId: string, orderId: string, file: File, options?: UploadOptions) => {
    const form = new FormData();
    form.append("file", file, file.name);
    return http.upload<{ document: ValidationDocument }>(`${order(teamId, orderId)}/documents`, form, options);
  },
  /** For a plain <a href download>: the session cookie goes with it. */
  downloadUrl: (teamId: string, orderId: string, documentId: string) => `/api${order(teamId, orderId)}/documents/${enc(documentId)}`,
};

export const certificatesApi = {
  submitCsr: (teamId: string, orderId: string, csr: string) => http.post<{ order: Order }>(`${order(teamId, orderId)}/csr`, { csr }),
  /** The leaf, then the chain, as application/x-pem-file. */
  downloadUrl: (teamId: string, orderId: string) => `/api${order(teamId, orderId)}/certificate`,
};
