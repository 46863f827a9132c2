// One function per call of API.md. Features wrap these in TanStack Query hooks.
import { http } from "./client";
import type {
  AuditEntry,
  Invitation,
  InvitationStatus,
  Me,
  Member,
  Page,
  PublicInvitation,
  Role,
  TeamDetail,
  TeamSummary,
  User,
} from "./types";

const enc = encodeURIComponent;
const team = (teamId: string) => `/teams/${enc(teamId)}`;

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
