// SECURITY 7, 8, 11: deny by default, and the permission matrix against SPEC.md's table.
// The expectations are copied BY HAND from SPEC.md ("Roles and permissions"); nothing here reads
// src/server/policy/roles.ts, so a wrong role map fails this file. Every team action is also run as
// API keys (SPEC 13, SECURITY 33): one holding the permission, one of the same team lacking it, one of
// another team; and a key beside the Owner's cookie, which must never widen what the key may do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../src/shared/permissions.js";
import type { Permission, Role } from "../src/shared/permissions.js";
import { uniqueEmail } from "./helpers/app.js";
import type { Body, Client, SignedIn, TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { createAcmeCredential } from "./helpers/acme-credentials.js";
import type { CreatedAcmeCredential } from "./helpers/acme-credentials.js";
import { createApiKey, keyBesideCookie, keyClient } from "./helpers/api-keys.js";
import type { CreatedKey } from "./helpers/api-keys.js";
import { ENGINES } from "./helpers/engines.js";
import { makeCsr } from "./helpers/csr.js";
import { publishDnsChallenge } from "./helpers/dcv.js";
import {
  PERSONAS,
  SMALL_PDF,
  addAccountObjects,
  addBillingProfile,
  buildTeamFixture,
  createTeam,
  invite,
  inviteAndAccept,
  multipartFile,
  placeOrder,
  registeredApiRoutes,
  routeShape,
  uniqueDomain,
} from "./helpers/fixtures.js";
import type { AccountObjects, Persona, TeamFixture } from "./helpers/fixtures.js";

// ---------------------------------------------------------------------------------------------
// SPEC.md, "Roles and permissions", copied by hand. Columns: Owner, account_admin, billing,
// validation, installer.
const SPEC_TABLE = `
| \`team.view\` | see the team, its members and their roles | ✓ | ✓ | ✓ | ✓ | ✓ |
| \`team.update\` | rename the team | ✓ | ✓ | | | |
| \`team.delete\` | delete a non-default team | ✓ | | | | |
| \`team.transfer\` | transfer ownership | ✓ | | | | |
| \`members.invite\` | send, re-send, list and revoke invitations | ✓ | ✓ | | | |
| \`members.update\` | change a member's roles | ✓ | ✓ | | | |
| \`members.remove\` | remove a member | ✓ | ✓ | | | |
| \`audit.view\` | read the audit log | ✓ | ✓ | | | |
| \`orders.view\` | see certificate orders and their status | ✓ | ✓ | ✓ | ✓ | ✓ |
| \`orders.create\` | buy a certificate (place an order) | ✓ | ✓ | ✓ | | |
| \`billing.view\` | see transactions and billing profiles | ✓ | ✓ | ✓ | | |
| \`billing.manage\` | add, edit and remove billing profiles | ✓ | ✓ | ✓ | | |
| \`billing.refund\` | refund an order | ✓ | ✓ | ✓ | | |
| \`validation.view\` | see validation documents and steps | ✓ | ✓ | | ✓ | |
| \`validation.manage\` | upload documents, choose and complete validation steps | ✓ | ✓ | | ✓ | |
| \`certificates.manage\` | submit a CSR, download, reissue and revoke certificates | ✓ | ✓ | | | ✓ |
| \`automation.manage\` | create, list and revoke the team's API keys and ACME credentials | ✓ | ✓ | | | |
`;

const COLUMNS: readonly Persona[] = ["owner", "account_admin", "billing", "validation", "installer"];

const GRANTS: ReadonlyMap<Permission, ReadonlySet<Persona>> = new Map(
  SPEC_TABLE.trim()
    .split("\n")
    .map((line) => {
      const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
      const permission = cells[0]!.replace(/`/g, "") as Permission;
      const holders = COLUMNS.filter((_persona, index) => cells[2 + index] === "✓");
      return [permission, new Set(holders)] as const;
    }),
);

function holds(persona: Persona, permission: Permission): boolean {
  const holders = GRANTS.get(permission);
  if (!holders) throw new Error(`${permission} is not in the hand-copied table`);
  return holders.has(persona);
}

function expectedPermissions(persona: Persona): Permission[] {
  return [...GRANTS.keys()].filter((permission) => holds(persona, permission)).sort();
}

// By hand from SPEC.md rule 13 and API.md "Machine access": a key may hold any permission but the
// Owner's own acts, deleting and transferring the team.
const OWNER_IN_PERSON: ReadonlySet<Permission> = new Set(["team.delete", "team.transfer"]);
const KEY_GRANTABLE: readonly Permission[] = [...GRANTS.keys()].filter((permission) => !OWNER_IN_PERSON.has(permission));

// ---------------------------------------------------------------------------------------------
// Every API route and the access it must declare. A registered /api route missing here, or
// declaring something else, fails the suite (deny by default).
// "public": anyone, keys included; "person": anyone but a key (no session needed); "signedIn": a
// person with a session; a permission; or a named rule of several ways in, compared by its name.
type Access = "public" | "person" | "signedIn" | Permission | { rule: string; permission: Permission };
interface RouteRow {
  method: string;
  path: string;
  access: Access;
}

const ROUTES: readonly RouteRow[] = [
  { method: "POST", path: "/api/auth/signup", access: "person" },
  { method: "POST", path: "/api/auth/login", access: "person" },
  { method: "POST", path: "/api/auth/logout", access: "person" },
  { method: "POST", path: "/api/auth/password-reset", access: "person" },
  { method: "POST", path: "/api/auth/password-reset/confirm", access: "person" },
  { method: "GET", path: "/api/openapi.json", access: "public" },
  { method: "GET", path: "/api/invitations/:token", access: "person" },
  { method: "POST", path: "/api/invitations/:token/decline", access: "person" },
  { method: "POST", path: "/api/invitations/:token/accept", access: "signedIn" },
  { method: "GET", path: "/api/me", access: "signedIn" },
  { method: "PUT", path: "/api/me/active-team", access: "signedIn" },
  // Account settings (issue 14): a person's own name, password and sessions.
  { method: "PATCH", path: "/api/me", access: "signedIn" },
  { method: "POST", path: "/api/me/password", access: "signedIn" },
  { method: "GET", path: "/api/me/sessions", access: "signedIn" },
  { method: "DELETE", path: "/api/me/sessions/:sessionId", access: "signedIn" },
  { method: "POST", path: "/api/me/sessions/end-others", access: "signedIn" },
  { method: "GET", path: "/api/settings", access: "signedIn" },
  { method: "GET", path: "/api/teams", access: "signedIn" },
  { method: "POST", path: "/api/teams", access: "signedIn" },
  { method: "GET", path: "/api/teams/:teamId", access: "team.view" },
  { method: "PATCH", path: "/api/teams/:teamId", access: "team.update" },
  { method: "DELETE", path: "/api/teams/:teamId", access: "team.delete" },
  { method: "GET", path: "/api/teams/:teamId/deletion-preview", access: "team.delete" },
  { method: "POST", path: "/api/teams/:teamId/transfer", access: "team.transfer" },
  { method: "GET", path: "/api/teams/:teamId/members", access: "team.view" },
  { method: "PATCH", path: "/api/teams/:teamId/members/:userId", access: "members.update" },
  // Leaving is open to every member (SPEC rule 10); removing somebody else needs members.remove.
  { method: "DELETE", path: "/api/teams/:teamId/members/:userId", access: { rule: "self or members.remove", permission: "members.remove" } },
  { method: "POST", path: "/api/teams/:teamId/invitations", access: "members.invite" },
  { method: "GET", path: "/api/teams/:teamId/invitations", access: "members.invite" },
  { method: "POST", path: "/api/teams/:teamId/invitations/:invitationId/resend", access: "members.invite" },
  { method: "DELETE", path: "/api/teams/:teamId/invitations/:invitationId", access: "members.invite" },
  { method: "GET", path: "/api/teams/:teamId/audit", access: "audit.view" },
  { method: "GET", path: "/api/teams/:teamId/audit.csv", access: "audit.view" },
  // The certificate account (API.md), guarded by SPEC.md's permissions.
  { method: "GET", path: "/api/products", access: "public" },
  { method: "GET", path: "/api/teams/:teamId/orders", access: "orders.view" },
  { method: "GET", path: "/api/teams/:teamId/orders/:orderId", access: "orders.view" },
  { method: "POST", path: "/api/teams/:teamId/orders", access: "orders.create" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/refund", access: "billing.refund" },
  { method: "GET", path: "/api/teams/:teamId/billing-profiles", access: "billing.view" },
  { method: "GET", path: "/api/teams/:teamId/billing-profiles/:billingProfileId", access: "billing.view" },
  { method: "POST", path: "/api/teams/:teamId/billing-profiles", access: "billing.manage" },
  { method: "PATCH", path: "/api/teams/:teamId/billing-profiles/:billingProfileId", access: "billing.manage" },
  { method: "DELETE", path: "/api/teams/:teamId/billing-profiles/:billingProfileId", access: "billing.manage" },
  { method: "GET", path: "/api/teams/:teamId/transactions", access: "billing.view" },
  { method: "GET", path: "/api/teams/:teamId/orders/:orderId/documents", access: "validation.view" },
  { method: "GET", path: "/api/teams/:teamId/orders/:orderId/documents/:documentId", access: "validation.view" },
  { method: "GET", path: "/api/teams/:teamId/orders/:orderId/validation", access: "validation.view" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/documents", access: "validation.manage" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/validation/:domain", access: "validation.manage" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/validation/:domain/check", access: "validation.manage" },
  { method: "GET", path: "/api/teams/:teamId/domains", access: "validation.view" },
  { method: "GET", path: "/api/teams/:teamId/organization", access: "validation.view" },
  { method: "PUT", path: "/api/teams/:teamId/organization", access: "validation.manage" },
  { method: "POST", path: "/api/domain-approvals/:token", access: "public" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/csr", access: "certificates.manage" },
  { method: "GET", path: "/api/teams/:teamId/orders/:orderId/certificate", access: "certificates.manage" },
  { method: "POST", path: "/api/teams/:teamId/orders/:orderId/revoke", access: "certificates.manage" },
  // Machine access (API.md).
  { method: "GET", path: "/api/teams/:teamId/api-keys", access: "automation.manage" },
  { method: "POST", path: "/api/teams/:teamId/api-keys", access: "automation.manage" },
  { method: "DELETE", path: "/api/teams/:teamId/api-keys/:apiKeyId", access: "automation.manage" },
  { method: "GET", path: "/api/teams/:teamId/acme-credentials", access: "automation.manage" },
  { method: "POST", path: "/api/teams/:teamId/acme-credentials", access: "automation.manage" },
  { method: "DELETE", path: "/api/teams/:teamId/acme-credentials/:credentialId", access: "automation.manage" },
];

/** The short explicit list of routes anyone may call without a session ("public" and "person" ones). */
const PUBLIC_ALLOWED = new Set([
  "POST /api/auth/signup",
  "POST /api/auth/login",
  "POST /api/auth/logout",
  "POST /api/auth/password-reset",
  "POST /api/auth/password-reset/confirm",
  "GET /api/invitations/:token",
  "POST /api/invitations/:token/decline",
  "POST /api/domain-approvals/:token",
  "GET /api/openapi.json",
  "GET /api/products",
].map((entry) => routeShape(entry)));

const key = (method: string, path: string) => `${method} ${routeShape(path)}`;
const ROW_BY_KEY = new Map(ROUTES.map((row) => [key(row.method, row.path), row]));

/** One comparable word for an access, the table's or a route's (whose rules are objects with a name and a permission). */
function accessName(access: Access | { name: string; permission: string } | undefined): string {
  if (access === undefined) return "nothing";
  if (typeof access === "string") return access;
  return `rule "${"rule" in access ? access.rule : access.name}" (else ${access.permission})`;
}

// ---------------------------------------------------------------------------------------------
// How each team action is exercised. `allowed` builds the request of a persona that holds the
// permission, on real (throwaway where destructive) objects, so its answer is meaningful;
// `denied` is the request everyone else makes, on the fixture team's real objects.
interface Call {
  url: string;
  body?: Body;
  headers?: Record<string, string>;
}

interface Probe {
  name: string;
  method: string;
  path: string;
  /** What SPEC.md says the action needs (may be stricter than the route's guard, see DELETE member). */
  permission: Permission;
  allowedStatus: number;
  denied(persona?: Persona): Call;
  allowed(persona: Persona): Promise<Call>;
}

const placeholderId = "00000000-0000-7000-8000-000000000000";

/** A multipart body as a Call's body and headers. */
function asBody(part: { body: string; headers: Record<string, string> }): { body: string; headers: Record<string, string> } {
  return { body: part.body, headers: part.headers };
}

/** The router's own view: printRoutes() draws a tree; this flattens it to method + full path. */
function routerTable(printed: string): { method: string; path: string }[] {
  const stack: string[] = [];
  const table: { method: string; path: string }[] = [];
  for (const line of printed.split("\n")) {
    const match = /^(.*?)[├└]── (\S+)(?: \(([^)]*)\))?\s*$/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? "") + match[2]!;
    stack.push(path);
    for (const method of (match[3] ?? "").split(",").map((m) => m.trim()).filter(Boolean)) table.push({ method, path });
  }
  return table;
}

describe.each(ENGINES)("permission matrix on %s", (engine) => {
  let h: TestApp;
  let fx: TeamFixture;
  let spare: SignedIn;
  let objects: AccountObjects;
  let issuedOrderId: string;
  let csrForObjects: string;
  /** A key of the fixture team that only the revoke probe's denied callers aim at: it must survive them. */
  let standingKey: CreatedKey;
  /** Likewise an ACME credential of the fixture team: refused revocations must leave it standing. */
  let standingCredential: CreatedAcmeCredential;

  beforeAll(async () => {
    // A roomy team limit: throwaway teams for delete and transfer come on top of the fixture's.
    h = await createTestApp(engine, { DEFAULT_TEAM_LIMIT: "20" });
    [fx, spare] = await Promise.all([buildTeamFixture(h, "Matrix"), h.signUp("Matrix Spare")]);
    objects = await addAccountObjects(fx.owner.client, fx.teamId, "matrix");
    csrForObjects = makeCsr({ san: [objects.domain] }).csrPem;
    issuedOrderId = await issuedOrder();
    standingKey = await createApiKey(fx.owner.client, fx.teamId, ["team.view"], "standing key");
    standingCredential = await createAcmeCredential(fx.owner.client, fx.teamId, objects.billingProfileId, "standing credential");
  });
  afterAll(() => h?.close());

  const T = () => fx.teamId;

  /** A team owned by the fixture's Owner in which `persona` holds its role, to destroy. */
  async function throwawayTeam(persona: Persona, name: string): Promise<string> {
    const teamId = await createTeam(fx.owner.client, name);
    if (persona !== "owner") await inviteAndAccept(h, fx.owner.client, teamId, fx.members[persona], [persona]);
    return teamId;
  }

  /** The spare user, (re-)joined to the fixture team as an installer, to be removed. */
  async function spareJoinsFixtureTeam(): Promise<string> {
    await inviteAndAccept(h, fx.owner.client, T(), spare, ["installer"]);
    return spare.user.id;
  }

  /** A new order of the fixture team, placed by the Owner; with dns chosen and its TXT record served if asked. */
  async function freshOrder(chooseMethod = false): Promise<{ orderId: string; domain: string }> {
    const domain = uniqueDomain("matrix");
    const orderId = await placeOrder(fx.owner.client, T(), objects.billingProfileId, domain);
    if (chooseMethod) {
      const chosen = await fx.owner.client.post(`/api/teams/${T()}/orders/${orderId}/validation/${domain}`, { method: "dns" });
      if (chosen.statusCode !== 200) throw new Error(`choosing a method failed: ${chosen.body}`);
      publishDnsChallenge(h, domain, chosen.json().order);
    }
    return { orderId, domain };
  }

  /** An order validated and with a CSR on file: issued. */
  async function issuedOrder(): Promise<string> {
    const { orderId, domain } = await freshOrder(true);
    const base = `/api/teams/${T()}/orders/${orderId}`;
    const checked = await fx.owner.client.post(`${base}/validation/${domain}/check`);
    if (checked.statusCode !== 200) throw new Error(`checking failed: ${checked.body}`);
    const submitted = await fx.owner.client.post(`${base}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
    if (submitted.statusCode !== 200 || submitted.json().order.status !== "issued") throw new Error(`issuing failed: ${submitted.body}`);
    return orderId;
  }

  /** Somebody in the fixture team other than `persona` (and never the Owner). */
  function otherMember(persona?: Persona): string {
    return (persona === "installer" ? fx.members.validation : fx.members.installer).user.id;
  }

  const probes: Probe[] = [
    {
      name: "see the team",
      method: "GET",
      path: "/api/teams/:teamId",
      permission: "team.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}` }),
      allowed: async () => ({ url: `/api/teams/${T()}` }),
    },
    {
      name: "rename the team",
      method: "PATCH",
      path: "/api/teams/:teamId",
      permission: "team.update",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}`, body: { name: "Renamed by someone without team.update" } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}`, body: { name: `Matrix team, renamed by ${persona}` } }),
    },
    {
      name: "delete the team",
      method: "DELETE",
      path: "/api/teams/:teamId",
      permission: "team.delete",
      allowedStatus: 204,
      denied: () => ({ url: `/api/teams/${T()}` }),
      allowed: async (persona) => ({ url: `/api/teams/${await throwawayTeam(persona, `To delete by ${persona}`)}` }),
    },
    {
      name: "see what deleting the team takes with it",
      method: "GET",
      path: "/api/teams/:teamId/deletion-preview",
      permission: "team.delete",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/deletion-preview` }),
      allowed: async () => ({ url: `/api/teams/${T()}/deletion-preview` }),
    },
    {
      name: "transfer ownership",
      method: "POST",
      path: "/api/teams/:teamId/transfer",
      permission: "team.transfer",
      allowedStatus: 200,
      denied: (persona) => ({ url: `/api/teams/${T()}/transfer`, body: { userId: otherMember(persona) } }),
      allowed: async (persona) => {
        const teamId = await throwawayTeam(persona, `To transfer by ${persona}`);
        await inviteAndAccept(h, fx.owner.client, teamId, spare, ["installer"]);
        return { url: `/api/teams/${teamId}/transfer`, body: { userId: spare.user.id } };
      },
    },
    {
      name: "list the members",
      method: "GET",
      path: "/api/teams/:teamId/members",
      permission: "team.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/members` }),
      allowed: async () => ({ url: `/api/teams/${T()}/members` }),
    },
    {
      name: "change a member's roles",
      method: "PATCH",
      path: "/api/teams/:teamId/members/:userId",
      permission: "members.update",
      allowedStatus: 200,
      denied: (persona) => ({ url: `/api/teams/${T()}/members/${otherMember(persona)}`, body: { roles: ["account_admin"] } }),
      // The Owner adds a role to the installer, the Account Admin takes it away again.
      allowed: async (persona) => ({
        url: `/api/teams/${T()}/members/${fx.members.installer.user.id}`,
        body: { roles: persona === "owner" ? ["installer", "validation"] : ["installer"] },
      }),
    },
    {
      name: "remove another member",
      method: "DELETE",
      path: "/api/teams/:teamId/members/:userId",
      permission: "members.remove",
      allowedStatus: 204,
      denied: (persona) => ({ url: `/api/teams/${T()}/members/${otherMember(persona)}` }),
      allowed: async () => ({ url: `/api/teams/${T()}/members/${await spareJoinsFixtureTeam()}` }),
    },
    {
      name: "invite",
      method: "POST",
      path: "/api/teams/:teamId/invitations",
      permission: "members.invite",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/invitations`, body: { email: uniqueEmail("never invited"), roles: ["installer"] } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/invitations`, body: { email: uniqueEmail(`invited by ${persona}`), roles: ["installer"] } }),
    },
    {
      name: "list invitations",
      method: "GET",
      path: "/api/teams/:teamId/invitations",
      permission: "members.invite",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/invitations` }),
      allowed: async () => ({ url: `/api/teams/${T()}/invitations?status=pending` }),
    },
    {
      name: "re-send an invitation",
      method: "POST",
      path: "/api/teams/:teamId/invitations/:invitationId/resend",
      permission: "members.invite",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/invitations/${fx.pendingInvitation.id}/resend` }),
      allowed: async () => ({ url: `/api/teams/${T()}/invitations/${fx.pendingInvitation.id}/resend` }),
    },
    {
      name: "revoke an invitation",
      method: "DELETE",
      path: "/api/teams/:teamId/invitations/:invitationId",
      permission: "members.invite",
      allowedStatus: 204,
      denied: () => ({ url: `/api/teams/${T()}/invitations/${fx.pendingInvitation.id}` }),
      allowed: async (persona) => {
        const id = await invite(fx.owner.client, T(), uniqueEmail(`to revoke by ${persona}`), ["billing"]);
        return { url: `/api/teams/${T()}/invitations/${id}` };
      },
    },
    // The certificate account, on the fixture team's real billing profile, order and document.
    {
      name: "list orders",
      method: "GET",
      path: "/api/teams/:teamId/orders",
      permission: "orders.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders` }),
    },
    {
      name: "see an order",
      method: "GET",
      path: "/api/teams/:teamId/orders/:orderId",
      permission: "orders.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}` }),
    },
    {
      name: "place an order",
      method: "POST",
      path: "/api/teams/:teamId/orders",
      permission: "orders.create",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/orders`, body: { productId: "dv-1y", domains: [uniqueDomain("denied")], billingProfileId: objects.billingProfileId } }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders`, body: { productId: "dv-1y", domains: [uniqueDomain("allowed")], billingProfileId: objects.billingProfileId } }),
    },
    {
      name: "refund an order",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/refund",
      permission: "billing.refund",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/refund` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${(await freshOrder()).orderId}/refund` }),
    },
    {
      name: "list billing profiles",
      method: "GET",
      path: "/api/teams/:teamId/billing-profiles",
      permission: "billing.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/billing-profiles` }),
      allowed: async () => ({ url: `/api/teams/${T()}/billing-profiles` }),
    },
    {
      name: "see a billing profile",
      method: "GET",
      path: "/api/teams/:teamId/billing-profiles/:billingProfileId",
      permission: "billing.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/billing-profiles/${objects.billingProfileId}` }),
      allowed: async () => ({ url: `/api/teams/${T()}/billing-profiles/${objects.billingProfileId}` }),
    },
    {
      name: "add a billing profile",
      method: "POST",
      path: "/api/teams/:teamId/billing-profiles",
      permission: "billing.manage",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/billing-profiles`, body: { name: "Denied card", country: "FR", cardBrand: "visa", cardLast4: "0000" } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/billing-profiles`, body: { name: `Card of ${persona}`, country: "FR", cardBrand: "mastercard", cardLast4: "5454" } }),
    },
    {
      name: "edit a billing profile",
      method: "PATCH",
      path: "/api/teams/:teamId/billing-profiles/:billingProfileId",
      permission: "billing.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/billing-profiles/${objects.billingProfileId}`, body: { name: "Renamed without billing.manage" } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/billing-profiles/${objects.billingProfileId}`, body: { name: `Main card, edited by ${persona}` } }),
    },
    {
      name: "remove a billing profile",
      method: "DELETE",
      path: "/api/teams/:teamId/billing-profiles/:billingProfileId",
      permission: "billing.manage",
      allowedStatus: 204,
      denied: () => ({ url: `/api/teams/${T()}/billing-profiles/${objects.billingProfileId}` }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/billing-profiles/${await addBillingProfile(fx.owner.client, T(), `To remove by ${persona}`)}` }),
    },
    {
      name: "list transactions",
      method: "GET",
      path: "/api/teams/:teamId/transactions",
      permission: "billing.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/transactions` }),
      allowed: async () => ({ url: `/api/teams/${T()}/transactions` }),
    },
    {
      name: "list an order's documents",
      method: "GET",
      path: "/api/teams/:teamId/orders/:orderId/documents",
      permission: "validation.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents` }),
    },
    {
      name: "download a document",
      method: "GET",
      path: "/api/teams/:teamId/orders/:orderId/documents/:documentId",
      permission: "validation.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents/${objects.documentId}` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents/${objects.documentId}` }),
    },
    {
      name: "upload a document",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/documents",
      permission: "validation.manage",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents`, ...asBody(multipartFile("denied.pdf", SMALL_PDF)) }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/documents`, ...asBody(multipartFile(`by-${persona}.pdf`, SMALL_PDF)) }),
    },
    {
      name: "see validation steps",
      method: "GET",
      path: "/api/teams/:teamId/orders/:orderId/validation",
      permission: "validation.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/validation` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/validation` }),
    },
    {
      name: "choose a validation method",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/validation/:domain",
      permission: "validation.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/validation/${objects.domain}`, body: { method: "dns" } }),
      allowed: async () => {
        const { orderId, domain } = await freshOrder();
        return { url: `/api/teams/${T()}/orders/${orderId}/validation/${domain}`, body: { method: "http" } };
      },
    },
    {
      name: "have certdesk check a validation step",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/validation/:domain/check",
      permission: "validation.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/validation/${objects.domain}/check` }),
      allowed: async () => {
        const { orderId, domain } = await freshOrder(true);
        return { url: `/api/teams/${T()}/orders/${orderId}/validation/${domain}/check` };
      },
    },
    {
      name: "see the organization profile",
      method: "GET",
      path: "/api/teams/:teamId/organization",
      permission: "validation.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/organization` }),
      allowed: async () => ({ url: `/api/teams/${T()}/organization` }),
    },
    {
      name: "set the organization profile",
      method: "PUT",
      path: "/api/teams/:teamId/organization",
      permission: "validation.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/organization`, body: { legalName: "Denied Ltd", locality: "Leeds", country: "GB" } }),
      allowed: async () => ({ url: `/api/teams/${T()}/organization`, body: { legalName: "Example Widgets GmbH", locality: "Berlin", country: "DE" } }),
    },
    {
      name: "see the team's domain ledger",
      method: "GET",
      path: "/api/teams/:teamId/domains",
      permission: "validation.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/domains` }),
      allowed: async () => ({ url: `/api/teams/${T()}/domains` }),
    },
    {
      name: "submit a CSR",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/csr",
      permission: "certificates.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${objects.orderId}/csr`, body: { csr: csrForObjects } }),
      allowed: async () => {
        const { orderId, domain } = await freshOrder();
        return { url: `/api/teams/${T()}/orders/${orderId}/csr`, body: { csr: makeCsr({ san: [domain] }).csrPem } };
      },
    },
    {
      name: "download the certificate",
      method: "GET",
      path: "/api/teams/:teamId/orders/:orderId/certificate",
      permission: "certificates.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${issuedOrderId}/certificate` }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${issuedOrderId}/certificate` }),
    },
    {
      name: "revoke the certificate",
      method: "POST",
      path: "/api/teams/:teamId/orders/:orderId/revoke",
      permission: "certificates.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/orders/${issuedOrderId}/revoke`, body: { reason: "keyCompromise" } }),
      allowed: async () => ({ url: `/api/teams/${T()}/orders/${await issuedOrder()}/revoke`, body: { reason: "keyCompromise" } }),
    },
    {
      name: "read the audit log",
      method: "GET",
      path: "/api/teams/:teamId/audit",
      permission: "audit.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/audit` }),
      allowed: async () => ({ url: `/api/teams/${T()}/audit` }),
    },
    {
      name: "download the audit log as CSV",
      method: "GET",
      path: "/api/teams/:teamId/audit.csv",
      permission: "audit.view",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/audit.csv` }),
      allowed: async () => ({ url: `/api/teams/${T()}/audit.csv` }),
    },
    // Machine access. A new key's permissions must be the creator's own: automation.manage is one
    // that every allowed caller (a key holding just it included) holds.
    {
      name: "list API keys",
      method: "GET",
      path: "/api/teams/:teamId/api-keys",
      permission: "automation.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/api-keys` }),
      allowed: async () => ({ url: `/api/teams/${T()}/api-keys` }),
    },
    {
      name: "create an API key",
      method: "POST",
      path: "/api/teams/:teamId/api-keys",
      permission: "automation.manage",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/api-keys`, body: { name: "Never created", permissions: ["team.view"] } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/api-keys`, body: { name: `Key made by ${persona}`, permissions: ["automation.manage"] } }),
    },
    {
      name: "revoke an API key",
      method: "DELETE",
      path: "/api/teams/:teamId/api-keys/:apiKeyId",
      permission: "automation.manage",
      allowedStatus: 204,
      denied: () => ({ url: `/api/teams/${T()}/api-keys/${standingKey.id}` }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/api-keys/${(await createApiKey(fx.owner.client, T(), ["team.view"], `To revoke by ${persona}`)).id}` }),
    },
    {
      name: "list ACME credentials",
      method: "GET",
      path: "/api/teams/:teamId/acme-credentials",
      permission: "automation.manage",
      allowedStatus: 200,
      denied: () => ({ url: `/api/teams/${T()}/acme-credentials` }),
      allowed: async () => ({ url: `/api/teams/${T()}/acme-credentials` }),
    },
    {
      name: "create an ACME credential",
      method: "POST",
      path: "/api/teams/:teamId/acme-credentials",
      permission: "automation.manage",
      allowedStatus: 201,
      denied: () => ({ url: `/api/teams/${T()}/acme-credentials`, body: { name: "Never created", productId: "dv-1y", billingProfileId: objects.billingProfileId } }),
      allowed: async (persona) => ({ url: `/api/teams/${T()}/acme-credentials`, body: { name: `Credential made by ${persona}`, productId: "dv-1y", billingProfileId: objects.billingProfileId } }),
    },
    {
      name: "revoke an ACME credential",
      method: "DELETE",
      path: "/api/teams/:teamId/acme-credentials/:credentialId",
      permission: "automation.manage",
      allowedStatus: 204,
      denied: () => ({ url: `/api/teams/${T()}/acme-credentials/${standingCredential.id}` }),
      allowed: async (persona) => ({
        url: `/api/teams/${T()}/acme-credentials/${(await createAcmeCredential(fx.owner.client, T(), objects.billingProfileId, `To revoke by ${persona}`)).id}`,
      }),
    },
  ];

  async function send(client: Client, method: string, call: Call) {
    const response = await client.request(method, call.url, call.body, call.headers);
    const body = response.headers["content-type"]?.toString().includes("json") && response.body ? response.json() : {};
    return { status: response.statusCode, code: body.code as string | undefined, detail: body.detail as string | undefined, raw: response.body };
  }

  // Keys, made through the API like a user makes them, one per need and reused across probes.
  const keyCache = new Map<string, Promise<CreatedKey>>();
  function cachedKey(label: string, make: () => Promise<CreatedKey>): Promise<CreatedKey> {
    let made = keyCache.get(label);
    if (!made) keyCache.set(label, (made = make()));
    return made;
  }
  /** A key of the fixture team holding `permission` only. */
  const keyHolding = (permission: Permission) => cachedKey(`holding ${permission}`, () => createApiKey(fx.owner.client, T(), [permission], `Holds ${permission}`));
  /** A key of the fixture team holding every grantable permission but `permission` (all of them, for the Owner's own acts). */
  const keyLacking = (permission: Permission) =>
    cachedKey(`lacking ${permission}`, () => createApiKey(fx.owner.client, T(), KEY_GRANTABLE.filter((p) => p !== permission), `Lacks ${permission}`));
  /** A key of another team (the outsider's default team) holding every grantable permission. */
  const foreignKey = () => cachedKey("foreign", () => createApiKey(fx.outsider.client, fx.outsider.defaultTeamId, KEY_GRANTABLE, "Another team's key"));

  function expectForbidden(who: string, answer: Awaited<ReturnType<typeof send>>, permission: Permission) {
    expect.soft([answer.status, answer.code], `${who}: ${answer.raw}`).toEqual([403, "forbidden"]);
    expect.soft(answer.detail ?? "", `${who}: the detail names the permission`).toContain(permission);
  }

  /**
   * Anonymous → 401, outsider → 404, members without the permission → 403 naming it, with it →
   * `allowed`; and as keys: holding it → `allowed` (the Owner's own acts: refused to every key), of the
   * team but lacking it → 403 naming it, of another team → 404. Keys go before the personas, so that
   * the Account Admin's answer to the role change (which undoes the Owner's) is the last word.
   */
  async function runProbe(probe: Probe, allowedCheck: (who: string, answer: Awaited<ReturnType<typeof send>>) => void) {
    const anonymous = await send(h.client(), probe.method, probe.denied());
    expect.soft([anonymous.status, anonymous.code], `anonymous: ${anonymous.raw}`).toEqual([401, "unauthenticated"]);

    const outsider = await send(fx.outsider.client, probe.method, probe.denied());
    expect.soft([outsider.status, outsider.code], `non-member: ${outsider.raw}`).toEqual([404, "not_found"]);

    if (KEY_GRANTABLE.includes(probe.permission)) {
      const holder = keyClient(h, (await keyHolding(probe.permission)).secret);
      allowedCheck(`a key holding ${probe.permission}`, await send(holder, probe.method, await probe.allowed("owner")));
    }
    const lacking = keyClient(h, (await keyLacking(probe.permission)).secret);
    expectForbidden(`a key holding every grantable permission but ${probe.permission}`, await send(lacking, probe.method, probe.denied()), probe.permission);
    const foreign = await send(keyClient(h, (await foreignKey()).secret), probe.method, probe.denied());
    expect.soft([foreign.status, foreign.code], `another team's key: ${foreign.raw}`).toEqual([404, "not_found"]);

    for (const persona of PERSONAS) {
      const client = fx.as(persona).client;
      if (holds(persona, probe.permission)) {
        allowedCheck(persona, await send(client, probe.method, await probe.allowed(persona)));
      } else {
        expectForbidden(persona, await send(client, probe.method, probe.denied(persona)), probe.permission);
      }
    }
  }

  it("the hand-copied table covers exactly the permission catalogue", () => {
    expect([...GRANTS.keys()].sort()).toEqual([...PERMISSIONS].sort());
    // The Owner holds everything; Account Admin everything but team.delete and team.transfer.
    expect(expectedPermissions("owner")).toEqual([...PERMISSIONS].sort());
    expect(PERMISSIONS.filter((p) => !holds("account_admin", p)).sort()).toEqual(["team.delete", "team.transfer"]);
  });

  it("deny by default: every registered /api route is in the table, with the access the table gives it", () => {
    const registered = registeredApiRoutes(h);
    expect(registered.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const route of registered) {
      const row = ROW_BY_KEY.get(key(route.method, route.url));
      if (!row) problems.push(`${route.method} ${route.url} (access ${accessName(route.access)}) is not in the permission table`);
      else if (accessName(row.access) !== accessName(route.access)) problems.push(`${route.method} ${route.url} declares ${accessName(route.access)}, the table says ${accessName(row.access)}`);
      const open = route.access === "public" || route.access === "person";
      if (open && !PUBLIC_ALLOWED.has(key(route.method, route.url))) problems.push(`${route.method} ${route.url} needs no session (${route.access}) but is not on the public list`);
      if (!open && PUBLIC_ALLOWED.has(key(route.method, route.url))) problems.push(`${route.method} ${route.url} is on the public list but declares ${accessName(route.access)}`);
    }
    const registeredKeys = new Set(registered.map((route) => key(route.method, route.url)));
    for (const row of ROUTES) {
      if (!registeredKeys.has(key(row.method, row.path))) problems.push(`${row.method} ${row.path} is in the table but not registered`);
    }
    expect(problems).toEqual([]);
  });

  it("no /api route escapes the guard's bookkeeping (cross-checked with the router)", () => {
    const declared = new Set(registeredApiRoutes(h).map((route) => key(route.method, route.url)));
    const routed = routerTable(h.app.printRoutes({ commonPrefix: false }));
    expect(routed.length).toBeGreaterThan(20);
    const unseen = routed.filter(
      ({ method, path }) => path.startsWith("/api/") && !path.startsWith("/api/docs") && method !== "HEAD" && !declared.has(key(method, path)),
    );
    expect(unseen).toEqual([]);
  });

  it("/api/me reports each persona's permissions exactly as SPEC.md's table", async () => {
    for (const persona of PERSONAS) {
      const me = (await fx.as(persona).client.get("/api/me")).json();
      const team = me.teams.find((t: { id: string }) => t.id === fx.teamId);
      expect.soft(team?.permissions, persona).toEqual(expectedPermissions(persona));
      expect.soft(team?.roles, persona).toEqual(persona === "owner" ? [] : [persona]);
    }
    const outsider = (await fx.outsider.client.get("/api/me")).json();
    expect(outsider.teams.map((t: { id: string }) => t.id)).toEqual([fx.outsider.defaultTeamId]);
  });

  it("every team route of the table has a probe", () => {
    const probed = new Set(probes.map((probe) => key(probe.method, probe.path)));
    const unprobed = ROUTES.filter((row) => row.path.includes(":teamId") && !probed.has(key(row.method, row.path)));
    expect(unprobed).toEqual([]);
    for (const probe of probes) expect(ROW_BY_KEY.has(key(probe.method, probe.path)), probe.name).toBe(true);
  });

  describe("team actions × {owner, each role, non-member, anonymous, keys with, without, of another team}", () => {
    for (const probe of probes) {
      it(`${probe.name}: ${probe.method} ${probe.path} needs ${probe.permission}`, async () => {
        await runProbe(probe, (who, answer) => {
          expect.soft(answer.status, `${who} holds ${probe.permission}: ${answer.raw}`).toBe(probe.allowedStatus);
        });
      });
    }
  });

  it("signedIn routes refuse anonymous callers; public ones never ask for a session; a key gets only the public ones", async () => {
    const tokenLike = "x".repeat(43);
    // A key that works (on its team's routes) and holds everything a key can.
    const everything = await keyLacking("team.delete");
    const bot = keyClient(h, everything.secret);
    expect((await bot.get(`/api/teams/${T()}/members`)).statusCode).toBe(200);
    let asKey = 0;
    for (const route of registeredApiRoutes(h)) {
      if (route.url.includes(":teamId")) continue;
      const url = route.url.replace(/:token/g, tokenLike).replace(/:[A-Za-z0-9_]+/g, placeholderId);
      const body = route.method === "GET" ? undefined : {};
      const response = await h.client().request(route.method, url, body);
      const code = response.body ? (JSON.parse(response.body) as { code?: string }).code : undefined;
      if (route.access === "signedIn") expect.soft([response.statusCode, code], `${route.method} ${route.url}`).toEqual([401, "unauthenticated"]);
      else expect.soft(code, `${route.method} ${route.url}`).not.toBe("unauthenticated");

      const byKey = await bot.request(route.method, url, body);
      const keyCode = byKey.body && byKey.headers["content-type"]?.toString().includes("json") ? (JSON.parse(byKey.body) as { code?: string }).code : undefined;
      if (route.access === "public") {
        expect.soft(keyCode, `a key on public ${route.method} ${route.url}`).not.toBe("unauthenticated");
      } else {
        expect.soft([byKey.statusCode, keyCode], `a key on ${route.access} ${route.method} ${route.url}: ${byKey.body}`).toEqual([401, "unauthenticated"]);
        asKey += 1;
      }
    }
    // The person routes (auth, invitation links) and the signedIn ones: a dozen and more.
    expect(asKey).toBeGreaterThan(10);
    expect((await bot.get("/api/products")).statusCode).toBe(200);
    expect((await bot.get("/api/openapi.json")).statusCode).toBe(200);
  });

  describe("a bearer key beside the Owner's cookie never widens: the key alone decides (SECURITY 33)", () => {
    /** The Owner's cookie and CSRF header, and the key's Authorization header. */
    const ownerWithKey = (secret: string, method: string, call: Call) => send(keyBesideCookie(h, fx.owner.client, secret), method, call);

    it("a key lacking the permission, sent with the Owner's cookie, is refused 403 on every team action", async () => {
      for (const probe of probes) {
        const narrow = await keyLacking(probe.permission);
        expectForbidden(`${probe.method} ${probe.path}, Owner's cookie + a key without ${probe.permission}`, await ownerWithKey(narrow.secret, probe.method, probe.denied()), probe.permission);
      }
      // The fixture team survived the Owner's cookie on DELETE and transfer.
      const team = (await fx.owner.client.get(`/api/teams/${T()}`)).json().team;
      expect(team.owner.id).toBe(fx.owner.user.id);
    });

    it("a revoked key with a valid cookie is 401 everywhere, the cookie is no fallback", async () => {
      const revoked = await createApiKey(fx.owner.client, T(), KEY_GRANTABLE, "Revoked at once");
      expect((await fx.owner.client.delete(`/api/teams/${T()}/api-keys/${revoked.id}`)).statusCode).toBe(204);
      for (const probe of probes) {
        const answer = await ownerWithKey(revoked.secret, probe.method, probe.denied());
        expect.soft([answer.status, answer.code], `${probe.method} ${probe.path}: ${answer.raw}`).toEqual([401, "unauthenticated"]);
      }
      for (const url of ["/api/me", "/api/teams"]) {
        const answer = await ownerWithKey(revoked.secret, "GET", { url });
        expect.soft([answer.status, answer.code], `GET ${url}: ${answer.raw}`).toEqual([401, "unauthenticated"]);
      }
      // The cookie alone still works: only the key was refused.
      expect((await fx.owner.client.get("/api/me")).statusCode).toBe(200);
    });
  });

  it("leaving is open to every member but the Owner; nobody leaves for somebody else", async () => {
    const teamId = await createTeam(fx.owner.client, "Matrix leave team");
    for (const role of ["account_admin", "billing", "validation", "installer"] as Role[]) {
      await inviteAndAccept(h, fx.owner.client, teamId, fx.members[role], [role]);
    }
    const anonymous = await h.client().delete(`/api/teams/${teamId}/members/${fx.members.billing.user.id}`);
    expect(anonymous.statusCode).toBe(401);
    const outsider = await fx.outsider.client.delete(`/api/teams/${teamId}/members/${fx.outsider.user.id}`);
    expect([outsider.statusCode, outsider.json().code]).toEqual([404, "not_found"]);
    const owner = await fx.owner.client.delete(`/api/teams/${teamId}/members/${fx.owner.user.id}`);
    expect([owner.statusCode, owner.json().code]).toEqual([403, "owner_protected"]);

    for (const role of ["billing", "validation", "installer", "account_admin"] as Role[]) {
      const member = fx.members[role];
      const left = await member.client.delete(`/api/teams/${teamId}/members/${member.user.id}`);
      expect(left.statusCode, `${role} leaves: ${left.body}`).toBe(204);
      const after = await member.client.get(`/api/teams/${teamId}`);
      expect([after.statusCode, after.json().code]).toEqual([404, "not_found"]);
    }
    const members = (await fx.owner.client.get(`/api/teams/${teamId}/members`)).json();
    expect(members.items.map((m: { userId: string }) => m.userId)).toEqual([fx.owner.user.id]);
  });

  describe("nobody but the Owner reaches Owner (SECURITY 11)", () => {
    const admin = () => fx.members.account_admin.client;

    it("Account Admin cannot transfer ownership", async () => {
      const response = await admin().post(`/api/teams/${fx.teamId}/transfer`, { userId: fx.members.account_admin.user.id });
      expect([response.statusCode, response.json().code]).toEqual([403, "forbidden"]);
      expect(response.json().detail).toContain("team.transfer");
      const team = (await admin().get(`/api/teams/${fx.teamId}`)).json().team;
      expect(team.owner.id).toBe(fx.owner.user.id);
    });

    it("roles cannot name the Owner, in a role change or an invitation", async () => {
      const change = await admin().patch(`/api/teams/${fx.teamId}/members/${fx.members.billing.user.id}`, { roles: ["owner"] });
      expect([change.statusCode, change.json().code]).toEqual([400, "invalid_request"]);
      const mixed = await admin().patch(`/api/teams/${fx.teamId}/members/${fx.members.billing.user.id}`, { roles: ["billing", "owner"] });
      expect(mixed.statusCode).toBe(400);
      for (const client of [admin(), fx.owner.client]) {
        const invitation = await client.post(`/api/teams/${fx.teamId}/invitations`, { email: uniqueEmail("would be owner"), roles: ["owner"] });
        expect([invitation.statusCode, invitation.json().code]).toEqual([400, "invalid_request"]);
      }
      const sneaky = await admin().post(`/api/teams/${fx.teamId}/invitations`, { email: uniqueEmail("sneaky"), roles: ["billing"], isOwner: true });
      expect(sneaky.statusCode).toBe(400);
      const member = (await fx.owner.client.get(`/api/teams/${fx.teamId}/members?q=${encodeURIComponent(fx.members.billing.user.email)}`)).json().items[0];
      expect(member).toMatchObject({ roles: ["billing"], isOwner: false });
    });

    it("a re-send cannot change an invitation's roles", async () => {
      const id = await invite(admin(), fx.teamId, uniqueEmail("resent"), ["installer"]);
      const resent = await admin().post(`/api/teams/${fx.teamId}/invitations/${id}/resend`, { roles: ["owner"] });
      if (resent.statusCode === 200) expect(resent.json().invitation.roles).toEqual(["installer"]);
      else expect(resent.statusCode).toBe(400);
    });

    it("nobody edits their own roles, and the Owner's roles are not editable", async () => {
      const own = await admin().patch(`/api/teams/${fx.teamId}/members/${fx.members.account_admin.user.id}`, { roles: ["account_admin", "billing"] });
      expect(own.statusCode).toBe(403);
      const ownerRoles = await admin().patch(`/api/teams/${fx.teamId}/members/${fx.owner.user.id}`, { roles: ["installer"] });
      expect([ownerRoles.statusCode, ownerRoles.json().code]).toEqual([403, "owner_protected"]);
      const byOwner = await fx.owner.client.patch(`/api/teams/${fx.teamId}/members/${fx.owner.user.id}`, { roles: ["installer"] });
      expect(byOwner.statusCode).toBe(403);
      const removeOwner = await admin().delete(`/api/teams/${fx.teamId}/members/${fx.owner.user.id}`);
      expect([removeOwner.statusCode, removeOwner.json().code]).toEqual([403, "owner_protected"]);
      const me = (await admin().get("/api/me")).json();
      expect(me.teams.find((t: { id: string }) => t.id === fx.teamId)).toMatchObject({ isOwner: false, roles: ["account_admin"] });
    });
  });

  it("after all of the above, the fixture team is as it was built", async () => {
    const members = (await fx.owner.client.get(`/api/teams/${fx.teamId}/members`)).json().items as { userId: string; roles: string[]; isOwner: boolean }[];
    const expected = [
      { userId: fx.owner.user.id, roles: [], isOwner: true },
      ...(["account_admin", "billing", "validation", "installer"] as Role[]).map((role) => ({ userId: fx.members[role].user.id, roles: [role], isOwner: false })),
    ];
    const byId = (a: { userId: string }, b: { userId: string }) => a.userId.localeCompare(b.userId);
    expect(members[0]).toMatchObject(expected[0]!);
    expect(members.map(({ userId, roles, isOwner }) => ({ userId, roles, isOwner })).sort(byId)).toEqual(expected.sort(byId));
    // Nobody refused revoked the key the revoke probe's refusals aimed at.
    expect((await keyClient(h, standingKey.secret).get(`/api/teams/${fx.teamId}`)).statusCode).toBe(200);
    const credentials = (await fx.owner.client.get(`/api/teams/${fx.teamId}/acme-credentials?limit=100`)).json().items as { id: string; revokedAt: string | null }[];
    expect(credentials.find((c) => c.id === standingCredential.id)?.revokedAt).toBeNull();
  });
});
