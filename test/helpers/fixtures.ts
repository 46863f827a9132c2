// Team fixtures built the way users build them: sign-ups, real invitations and real accepts.
// buildTeamFixture() gives one team with its Owner and one member per role, plus an outsider who
// belongs to nothing but their own default team. Also: the routes the server registered (with the
// access each declares) and a snapshot of every table, for "nothing changed" assertions.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { ROLES } from "../../src/shared/permissions.js";
import type { Role } from "../../src/shared/permissions.js";
import { declaredRoutes } from "../../src/server/plugins/guard.js";
import type { DeclaredRoute } from "../../src/server/plugins/guard.js";
import type { Db } from "../../src/server/db/create-db.js";
import type { Client, SignedIn, TestApp } from "./app.js";
import { uniqueEmail } from "./app.js";

/** The Owner, or a member holding exactly one built-in role. */
export type Persona = "owner" | Role;
export const PERSONAS: readonly Persona[] = ["owner", ...ROLES];

export interface TeamFixture {
  teamId: string;
  teamName: string;
  owner: SignedIn;
  /** One member per role, each holding only that role. */
  members: Record<Role, SignedIn>;
  /** Signed up, member of nothing but their own default team. */
  outsider: SignedIn;
  /** A pending invitation of the team, to an address nobody uses. */
  pendingInvitation: { id: string; email: string };
  as(persona: Persona): SignedIn;
}

/** Invites `email` to `teamId` as `inviter`; returns the invitation id. */
export async function invite(inviter: Client, teamId: string, email: string, roles: readonly Role[]): Promise<string> {
  const response = await inviter.post(`/api/teams/${teamId}/invitations`, { email, roles: [...roles] });
  if (response.statusCode !== 201) throw new Error(`invitation failed: ${response.statusCode} ${response.body}`);
  return response.json().invitation.id as string;
}

/** A real invitation by `inviter`, accepted by `invitee` from the e-mailed link. */
export async function inviteAndAccept(h: TestApp, inviter: Client, teamId: string, invitee: SignedIn, roles: readonly Role[]): Promise<void> {
  await invite(inviter, teamId, invitee.user.email, roles);
  const token = await h.linkTokenFor(invitee.user.email);
  const accepted = await invitee.client.post(`/api/invitations/${token}/accept`);
  if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
}

/** A new team owned by `owner` (within their team limit). */
export async function createTeam(owner: Client, name: string): Promise<string> {
  const response = await owner.post("/api/teams", { name });
  if (response.statusCode !== 201) throw new Error(`team creation failed: ${response.statusCode} ${response.body}`);
  return response.json().team.id as string;
}

/**
 * One non-default team "<label> team" owned by a new user, with one member per role (each a new
 * user who accepted a real invitation), a pending invitation, and an outsider. Costs six sign-ups:
 * build it once per engine, in beforeAll.
 */
export async function buildTeamFixture(h: TestApp, label = "Fixture"): Promise<TeamFixture> {
  const [owner, outsider, ...people] = await Promise.all([
    h.signUp(`${label} Owner`),
    h.signUp(`${label} Outsider`),
    ...ROLES.map((role) => h.signUp(`${label} ${role}`)),
  ]);
  const teamName = `${label} team`;
  const teamId = await createTeam(owner!.client, teamName);
  const members = {} as Record<Role, SignedIn>;
  for (const [index, role] of ROLES.entries()) {
    const member = people[index]!;
    await inviteAndAccept(h, owner!.client, teamId, member, [role]);
    members[role] = member;
  }
  const pendingEmail = uniqueEmail(`${label} pending`);
  const pendingId = await invite(owner!.client, teamId, pendingEmail, ["billing"]);
  return {
    teamId,
    teamName,
    owner: owner!,
    members,
    outsider: outsider!,
    pendingInvitation: { id: pendingId, email: pendingEmail },
    as: (persona) => (persona === "owner" ? owner! : members[persona]),
  };
}

/** The objects of a team's certificate account, made through the API. */
export interface AccountObjects {
  billingProfileId: string;
  orderId: string;
  /** The order's only domain. */
  domain: string;
  documentId: string;
}

/** A multipart/form-data body holding one file in the field "file". */
export function multipartFile(filename: string, content: string, contentType = "application/pdf"): { body: string; headers: Record<string, string> } {
  const boundary = `----certdesk${Math.random().toString(16).slice(2)}`;
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n` +
    `${content}\r\n--${boundary}--\r\n`;
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

export const SMALL_PDF = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

export async function addBillingProfile(client: Client, teamId: string, name = "Main card"): Promise<string> {
  const response = await client.post(`/api/teams/${teamId}/billing-profiles`, { name, country: "DE", cardBrand: "visa", cardLast4: "4242" });
  if (response.statusCode !== 201) throw new Error(`billing profile failed: ${response.statusCode} ${response.body}`);
  return response.json().billingProfile.id as string;
}

let domainCounter = 0;
/** A domain nobody else in this process orders. */
export function uniqueDomain(label = "shop"): string {
  domainCounter += 1;
  return `${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${process.pid}-${domainCounter}.example.com`;
}

/** Places a DV order for one domain, charged to the billing profile; returns the order id. */
export async function placeOrder(client: Client, teamId: string, billingProfileId: string, domain = uniqueDomain()): Promise<string> {
  const response = await client.post(`/api/teams/${teamId}/orders`, { productId: "dv-1y", domains: [domain], billingProfileId });
  if (response.statusCode !== 201) throw new Error(`order failed: ${response.statusCode} ${response.body}`);
  return response.json().order.id as string;
}

export async function uploadDocument(client: Client, teamId: string, orderId: string): Promise<string> {
  const { body, headers } = multipartFile("proof.pdf", SMALL_PDF);
  const response = await client.request("POST", `/api/teams/${teamId}/orders/${orderId}/documents`, body, headers);
  if (response.statusCode !== 201) throw new Error(`upload failed: ${response.statusCode} ${response.body}`);
  return response.json().document.id as string;
}

/** A billing profile, an order charged to it and a document uploaded to the order, made by `client` (the Owner, say). */
export async function addAccountObjects(client: Client, teamId: string, label = "fixture"): Promise<AccountObjects> {
  const billingProfileId = await addBillingProfile(client, teamId);
  const domain = uniqueDomain(label);
  const orderId = await placeOrder(client, teamId, billingProfileId, domain);
  const documentId = await uploadDocument(client, teamId, orderId);
  return { billingProfileId, orderId, domain, documentId };
}

/** The routes the app registered, with the access each declares; HEAD twins of GET routes left out. */
export function registeredRoutes(h: TestApp): DeclaredRoute[] {
  return declaredRoutes(h.app).filter((route) => route.method !== "HEAD");
}

/** The registered /api routes the guard is responsible for (the API reference UI under /api/docs is static). */
export function registeredApiRoutes(h: TestApp): DeclaredRoute[] {
  return registeredRoutes(h).filter((route) => route.url.startsWith("/api/") && !route.url.startsWith("/api/docs"));
}

/** Path parameters renamed to `:`, so that `/x/:id` and `/x/:billingProfileId` compare equal. */
export function routeShape(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+/g, ":");
}

async function tableNames(db: Db): Promise<string[]> {
  if (db.engine === "sqlite") {
    const result = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db.kysely);
    return result.rows.map((row) => row.name);
  }
  const result = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
    db.kysely,
  );
  return result.rows.map((row) => row.name);
}

/** Every row of every table, as raw SQL sees it (snake_case, no plugin), in a stable order. */
export async function dumpDatabase(db: Db): Promise<Record<string, Record<string, unknown>[]>> {
  const dump: Record<string, Record<string, unknown>[]> = {};
  for (const name of await tableNames(db)) {
    const result = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db.kysely);
    // Bytes (a document's chunks on PostgreSQL) by their hash: JSON of 10 MiB as numbers takes seconds.
    const plain = (value: unknown) =>
      typeof value === "bigint" ? String(value) : Buffer.isBuffer(value) ? `sha256:${createHash("sha256").update(value).digest("hex")}` : value;
    dump[name] = result.rows.map((row) => JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plain(value)])))));
  }
  return dump;
}

/** The columns that merely using a session, an API key or an ACME account moves (written after the answer). */
const USE_STAMPS: Record<string, string[]> = {
  sessions: ["last_seen_at", "lastSeenAt"],
  api_keys: ["last_used_at", "lastUsedAt"],
  acme_accounts: ["last_used_at", "lastUsedAt"],
};

/**
 * The database minus what merely using a session, key or account legitimately touches (their last use), the
 * rate-limit counters (every request counts, a refused one too: migration 0015) and the migration
 * bookkeeping: equal before and after means the calls in between changed nothing.
 */
export async function snapshot(db: Db): Promise<Record<string, string[]>> {
  const dump = await dumpDatabase(db);
  const stable: Record<string, string[]> = {};
  for (const [name, rows] of Object.entries(dump)) {
    if (name.startsWith("kysely_") || name === "limit_counters") continue;
    stable[name] = rows
      .map((row) => {
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(row).sort()) if (!(USE_STAMPS[name] ?? []).includes(key)) copy[key] = row[key];
        return JSON.stringify(copy);
      })
      .sort();
  }
  return stable;
}
