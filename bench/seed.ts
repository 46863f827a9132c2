// The bench's data, written straight into a fresh SQLite or PostgreSQL database with Kysely (one
// transaction, multi-row inserts of a few thousand rows each, no HTTP, one argon2 hash shared by
// every seeded user): one team of MEMBERS members, each member
// with a default team of their own, a history in the audit log; plus the real accounts the
// scenarios sign in with (over HTTP, later).
import { hashPassword } from "../src/server/auth/passwords.js";
import { createDb } from "../src/server/db/create-db.js";
import type { Database } from "../src/server/db/schema.js";
import { migrateToLatest } from "../src/server/migrations/index.js";
import { encodeCursor } from "../src/server/queries/cursor.js";
import { newId } from "../src/server/secrets.js";
import { sql } from "kysely";
import type { Insertable } from "kysely";

export const PASSWORD = "bench passphrase, long enough";

export interface Account {
  email: string;
  id: string;
}

export interface BenchData {
  /** The big team. */
  teamId: string;
  memberCount: number;
  /** The Owner of the big team. */
  owner: Account;
  /** A member of the big team holding only the installer role (no audit.view). */
  installer: Account;
  /** A cursor that starts the members list after this many members. */
  deepCursor: string;
  deepCursorAfter: number;
  orderCount: number;
  /** A cursor that starts the orders list (newest first) after 90 % of them. */
  deepOrdersCursor: string;
  /** The serial of a certificate on record (the OCSP scenario asks for its status). */
  knownSerial: string;
}

const T0 = Date.parse("2025-06-01T00:00:00Z");
const KNOWN_SERIAL = "5eed".repeat(8);
const iso = (ms: number) => new Date(ms).toISOString();
const ROLES = ["billing", "validation", "installer", "account_admin", "billing,validation"];

/**
 * As many rows per INSERT as stay under both engines' limit on bound parameters (PostgreSQL 65,535,
 * SQLite 32,766): fewer statements, and fewer runs of the per-statement triggers (member counts).
 */
async function insertChunked<T extends object>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(30_000 / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export async function seed(databaseUrl: string, options: { members: number; deepCursorAfter: number; orders: number }): Promise<BenchData> {
  const db = createDb(databaseUrl);
  try {
    await migrateToLatest(db);
    const passwordHash = await hashPassword(PASSWORD);
    let clock = T0;
    const tick = () => (clock += 1000);

    const users: Insertable<Database["users"]>[] = [];
    const teams: Insertable<Database["teams"]>[] = [];
    const memberships: Insertable<Database["memberships"]>[] = [];
    const audit: Insertable<Database["auditLog"]>[] = [];

    /** A user with their default team, as sign-up makes them. */
    const addUser = (email: string, name: string): Account => {
      const at = tick();
      const id = newId(at);
      const teamId = newId(at);
      users.push({ id, email, name, passwordHash, teamLimit: null, activeTeamId: null, createdAt: iso(at) });
      teams.push({ id: teamId, name: `${name}'s team`, ownerId: id, isDefault: 1, createdAt: iso(at) });
      memberships.push({ teamId, userId: id, roles: "", joinedAt: iso(at) });
      audit.push({ id: newId(at), teamId, at: iso(at), actorId: id, actorEmail: email, action: "team.created", target: teamId, details: "{}" });
      return { email, id };
    };

    const owner = addUser("owner@bench.example.com", "Bench Owner");
    const installer = addUser("installer@bench.example.com", "Ivy Installer");
    const teamAt = tick();
    const teamId = newId(teamAt);
    teams.push({ id: teamId, name: "Bench Co", ownerId: owner.id, isDefault: 0, createdAt: iso(teamAt) });
    memberships.push({ teamId, userId: owner.id, roles: "", joinedAt: iso(teamAt) });
    audit.push({ id: newId(teamAt), teamId, at: iso(teamAt), actorId: owner.id, actorEmail: owner.email, action: "team.created", target: teamId, details: "{}" });
    memberships.push({ teamId, userId: installer.id, roles: "installer", joinedAt: iso(tick()) });

    const joined: { joinedAt: string; userId: string }[] = [];
    for (let i = 0; i < options.members - 2; i += 1) {
      const member = addUser(`member.${i}@bench.example.com`, `Member ${String(i).padStart(5, "0")}`);
      const at = iso(tick());
      memberships.push({ teamId, userId: member.id, roles: ROLES[i % ROLES.length]!, joinedAt: at });
      joined.push({ joinedAt: at, userId: member.id });
      if (i % 10 === 0) {
        audit.push({
          id: newId(clock),
          teamId,
          at,
          actorId: owner.id,
          actorEmail: owner.email,
          action: "invitation.accepted",
          target: `member.${i}@bench.example.com`,
          details: JSON.stringify({ roles: ROLES[i % ROLES.length]!.split(",") }),
        });
      }
    }

    // The team's certificate account: one billing profile and ORDERS orders of two domains each,
    // with their charges; every third one validated and issued-looking (status only).
    const profileId = newId(tick());
    const orders: Insertable<Database["orders"]>[] = [];
    const orderDomains: Insertable<Database["orderDomains"]>[] = [];
    const charges: Insertable<Database["transactions"]>[] = [];
    for (let i = 0; i < options.orders; i += 1) {
      const at = tick();
      const id = newId(at);
      const issued = i % 3 === 0;
      orders.push({
        id, teamId, productId: "dv-1y", billingProfileId: profileId, status: issued ? "issued" : "pending_validation",
        priceMinor: 4900, currency: "USD", createdBy: owner.id, createdAt: iso(at), issuedAt: issued ? iso(at) : null, refundedAt: null, csrPem: null,
      });
      for (const [position, domain] of [`shop${i}.bench.example.com`, `www.shop${i}.bench.example.com`].entries()) {
        orderDomains.push({ orderId: id, position, domain, method: "dns", challenge: `challenge-${i}-${position}`, completedAt: issued ? iso(at) : null });
      }
      charges.push({
        id: newId(at), teamId, orderId: id, billingProfileId: profileId, kind: "charge", amountMinor: 4900, currency: "USD",
        actorId: owner.id, gatewayReference: `ch_bench_${i}`, createdAt: iso(at),
      });
    }

    await db.kysely.transaction().execute(async (tx) => {
      await insertChunked(users, (c) => tx.insertInto("users").values(c).execute());
      await insertChunked(teams, (c) => tx.insertInto("teams").values(c).execute());
      await insertChunked(memberships, (c) => tx.insertInto("memberships").values(c).execute());
      await insertChunked(audit, (c) => tx.insertInto("auditLog").values(c).execute());
      const now = iso(T0);
      await tx
        .insertInto("billingProfiles")
        .values({ id: profileId, teamId, name: "Bench Co", country: "DE", cardBrand: "visa", cardLast4: "4242", createdAt: now, updatedAt: now, deletedAt: null })
        .execute();
      await insertChunked(orders, (c) => tx.insertInto("orders").values(c).execute());
      await insertChunked(orderDomains, (c) => tx.insertInto("orderDomains").values(c).execute());
      await insertChunked(charges, (c) => tx.insertInto("transactions").values(c).execute());
      // One certificate row for the OCSP scenario: the responder reads only its serial and status.
      await tx
        .insertInto("certificates")
        .values({ id: newId(T0), orderId: orders[0]!.id!, serialNumber: KNOWN_SERIAL, certificatePem: "", chainPem: "", notBefore: now, notAfter: iso(T0 + 200 * 86_400_000), createdAt: now })
        .execute();
    });
    await sql`analyze`.execute(db.kysely);

    // The installer joined first; the cursor after member N (counting the installer) is the
    // (joinedAt, userId) of the N-th non-Owner, exactly as a client walking the pages gets it.
    const after = joined[options.deepCursorAfter - 2]!;
    return {
      teamId,
      memberCount: options.members,
      owner,
      installer,
      deepCursor: encodeCursor([after.joinedAt, after.userId]),
      deepCursorAfter: options.deepCursorAfter,
      orderCount: options.orders,
      // Newest first: the page after the k-th newest order starts behind its id.
      deepOrdersCursor: encodeCursor([orders[options.orders - Math.max(1, Math.floor(options.orders * 0.9))]!.id!]),
      knownSerial: KNOWN_SERIAL,
    };
  } finally {
    await db.close();
  }
}
