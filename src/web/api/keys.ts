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
  apiKeys: (teamId: string) => ["team", teamId, "api-keys"] as const,
  acmeCredentials: (teamId: string) => ["team", teamId, "acme-credentials"] as const,
  publicInvitation: (token: string) => ["invitation", token] as const,
  products: ["products"] as const,
  // Everything about a team's orders starts with ordersAll, so one invalidation refreshes it all.
  ordersAll: (teamId: string) => ["team", teamId, "orders"] as const,
  orders: (teamId: string, filter: object) => ["team", teamId, "orders", "list", filter] as const,
  order: (teamId: string, orderId: string) => ["team", teamId, "orders", "detail", orderId] as const,
  documents: (teamId: string, orderId: string) => ["team", teamId, "orders", "documents", orderId] as const,
  billingProfiles: (teamId: string) => ["team", teamId, "billing-profiles"] as const,
  transactions: (teamId: string) => ["team", teamId, "transactions"] as const,
};
