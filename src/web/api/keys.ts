// Query keys in one place so that invalidation stays consistent.
export const keys = {
  me: ["me"] as const,
  team: (teamId: string) => ["team", teamId] as const,
  teamDetail: (teamId: string) => ["team", teamId, "detail"] as const,
  members: (teamId: string, q = "") => ["team", teamId, "members", q] as const,
  membersAll: (teamId: string) => ["team", teamId, "members"] as const,
  invitations: (teamId: string, status: string) => ["team", teamId, "invitations", status] as const,
  invitationsAll: (teamId: string) => ["team", teamId, "invitations"] as const,
  audit: (teamId: string) => ["team", teamId, "audit"] as const,
  publicInvitation: (token: string) => ["invitation", token] as const,
};
