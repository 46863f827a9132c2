// ACME accounts (RFC 8555 §7.3): created by newAccount with a team's credential (eab.ts), found by
// their key's thumbprint, updated (contact), deactivated, and re-keyed (keyChange). An account is
// the team's like the credential it was bound with (SPEC 13, 20): every change is audited in the
// team, with the account as the actor. A deactivated account, or one whose credential was revoked,
// signs nothing more (401 unauthorized in the scope).
import { calculateJwkThumbprint } from "jose";
import type { JWK } from "jose";
import type { AcmeAccountPrincipal } from "../auth/principal.js";
import { auditActorOf } from "../auth/principal.js";
import { canonicalEmailOrNull } from "../auth/email.js";
import type { Deps } from "../context.js";
import { isUniqueViolation } from "../db/errors.js";
import { inTransaction } from "../db/transaction.js";
import type { Executor } from "../db/transaction.js";
import { recordAudit } from "../commands/audit.js";
import { lockTeam } from "../commands/team-lock.js";
import { newId } from "../secrets.js";
import { AcmeProblem } from "./problems.js";

export interface AcmeAccount {
  id: string;
  teamId: string;
  credentialId: string;
  credentialName: string;
  credentialRevoked: boolean;
  status: "valid" | "deactivated" | "revoked";
  jwk: JWK;
  thumbprint: string;
  contact: string[];
  createdAt: string;
  creator: { id: string; email: string };
}

function accountQuery(executor: Executor) {
  return executor
    .selectFrom("acmeAccounts as a")
    .innerJoin("acmeCredentials as c", "c.id", "a.credentialId")
    .innerJoin("users as u", "u.id", "c.createdBy")
    .select([
      "a.id", "a.teamId", "a.credentialId", "a.status", "a.jwk", "a.thumbprint", "a.contact", "a.createdAt",
      "c.name as credentialName", "c.revokedAt as credentialRevokedAt", "u.id as creatorId", "u.email as creatorEmail",
    ]);
}

type AccountRow = Awaited<ReturnType<ReturnType<typeof accountQuery>["executeTakeFirstOrThrow"]>>;

function toAccount(row: AccountRow): AcmeAccount {
  return {
    id: row.id,
    teamId: row.teamId,
    credentialId: row.credentialId,
    credentialName: row.credentialName,
    credentialRevoked: row.credentialRevokedAt !== null,
    status: row.status as AcmeAccount["status"],
    jwk: JSON.parse(row.jwk) as JWK,
    thumbprint: row.thumbprint,
    contact: JSON.parse(row.contact) as string[],
    createdAt: row.createdAt,
    creator: { id: row.creatorId, email: row.creatorEmail },
  };
}

export async function findAccount(executor: Executor, id: string): Promise<AcmeAccount | undefined> {
  const row = await accountQuery(executor).where("a.id", "=", id).executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountByKey(executor: Executor, jwk: JWK): Promise<AcmeAccount | undefined> {
  const row = await accountQuery(executor).where("a.thumbprint", "=", await calculateJwkThumbprint(jwk)).executeTakeFirst();
  return row && toAccount(row);
}

export function principalOf(account: AcmeAccount): AcmeAccountPrincipal {
  return { kind: "acmeAccount", id: account.id, teamId: account.teamId, credentialId: account.credentialId, name: account.credentialName, creator: account.creator };
}

/** Whether the account may still sign requests; a revoked credential ends its accounts too. */
export function assertUsable(account: AcmeAccount): void {
  if (account.status !== "valid" || account.credentialRevoked) {
    throw new AcmeProblem("unauthorized", `This account is ${account.credentialRevoked && account.status === "valid" ? "bound to a revoked credential" : account.status}.`, { status: 401 });
  }
}

/** At most a few `mailto:` addresses, each one certdesk's e-mail grammar accepts. */
export function checkContact(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > 5) throw new AcmeProblem("invalidContact", "contact must be an array of at most 5 mailto: URLs.");
  return raw.map((entry) => {
    if (typeof entry !== "string" || !entry.toLowerCase().startsWith("mailto:")) {
      throw new AcmeProblem("unsupportedContact", `Only mailto: contacts are supported, not ${JSON.stringify(entry)}.`);
    }
    const address = canonicalEmailOrNull(decodeURIComponent(entry.slice("mailto:".length)));
    if (!address || entry.includes("?") || entry.includes(",")) throw new AcmeProblem("invalidContact", `${JSON.stringify(entry)} is not a single valid e-mail address.`);
    return `mailto:${address}`;
  });
}

export interface NewAccount {
  credential: { id: string; teamId: string };
  jwk: JWK;
  contact: string[];
}

/** Creates the account, or returns the one that already has this key (a second newAccount is not an error). */
export async function createAccount(deps: Deps, input: NewAccount): Promise<{ account: AcmeAccount; created: boolean }> {
  const thumbprint = await calculateJwkThumbprint(input.jwk);
  const id = newId(deps.clock.now().getTime());
  try {
    const account = await inTransaction(deps.db, async (tx) => {
      // Under the team's lock, as revoking the credential is: a binding checked before a revocation
      // that commits first must not leave a valid account behind it.
      await lockTeam(tx, deps.db, input.credential.teamId);
      const credential = await tx.selectFrom("acmeCredentials").select("revokedAt").where("id", "=", input.credential.id).executeTakeFirst();
      if (!credential || credential.revokedAt !== null) throw new AcmeProblem("unauthorized", "This ACME credential was revoked; ask the team for a new one.");
      const now = deps.clock.now().toISOString();
      await tx
        .insertInto("acmeAccounts")
        .values({
          id,
          credentialId: input.credential.id,
          teamId: input.credential.teamId,
          thumbprint,
          jwk: JSON.stringify(input.jwk),
          contact: JSON.stringify(input.contact),
          status: "valid",
          createdAt: now,
          lastUsedAt: now,
        })
        .execute();
      const created = (await findAccount(tx, id))!;
      await recordAudit(tx, deps.clock, {
        teamId: created.teamId,
        actor: auditActorOf(principalOf(created)),
        action: "acme_account.created",
        target: created.id,
        details: { credentialId: created.credentialId, thumbprint },
      });
      return created;
    });
    return { account, created: true };
  } catch (error) {
    // Two newAccount requests with one key raced: the other created it; this one finds it.
    if (!isUniqueViolation(error)) throw error;
    const existing = await findAccountByKey(deps.db.kysely, input.jwk);
    if (!existing) throw error;
    return { account: existing, created: false };
  }
}

export async function updateContact(deps: Deps, account: AcmeAccount, contact: string[]): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    await tx.updateTable("acmeAccounts").set({ contact: JSON.stringify(contact) }).where("id", "=", account.id).execute();
    await recordAudit(tx, deps.clock, { teamId: account.teamId, actor: auditActorOf(principalOf(account)), action: "acme_account.updated", target: account.id, details: { contact } });
  });
}

export async function deactivateAccount(deps: Deps, account: AcmeAccount): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    const changed = await tx.updateTable("acmeAccounts").set({ status: "deactivated" }).where("id", "=", account.id).where("status", "=", "valid").executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return;
    await recordAudit(tx, deps.clock, { teamId: account.teamId, actor: auditActorOf(principalOf(account)), action: "acme_account.deactivated", target: account.id, details: {} });
  });
}

/** keyChange: the account's key becomes `jwk`; a key another account holds is a 409 naming it. */
export async function changeKey(deps: Deps, account: AcmeAccount, jwk: JWK, accountUrlOf: (id: string) => string): Promise<void> {
  const thumbprint = await calculateJwkThumbprint(jwk);
  try {
    await inTransaction(deps.db, async (tx) => {
      await tx.updateTable("acmeAccounts").set({ jwk: JSON.stringify(jwk), thumbprint }).where("id", "=", account.id).execute();
      await recordAudit(tx, deps.clock, {
        teamId: account.teamId,
        actor: auditActorOf(principalOf(account)),
        action: "acme_account.key_changed",
        target: account.id,
        details: { from: account.thumbprint, to: thumbprint },
      });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const holder = await findAccountByKey(deps.db.kysely, jwk);
    throw new AcmeProblem("malformed", "Another account already uses the new key.", { status: 409, ...(holder ? { location: accountUrlOf(holder.id) } : {}) });
  }
}

/** Sets the account's last use to `at` unless it is already later (throttled by auth/last-use.ts). */
export function writeAccountUse(executor: Executor, accountId: string, at: string): Promise<unknown> {
  return executor
    .updateTable("acmeAccounts")
    .set({ lastUsedAt: at })
    .where("id", "=", accountId)
    .where((eb) => eb.or([eb("lastUsedAt", "is", null), eb("lastUsedAt", "<", at)]))
    .execute();
}
