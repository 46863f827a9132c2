// Reminders before a certificate ends (SPEC 19): 30, 7 and 1 days before notAfter, for the order's
// current certificate only (a newer certificate of the order replaced an older one; a revoked or
// refunded one needs none), every member holding certificates.manage gets one e-mail.
//
// An ACME order is never reissued: its client renews by placing a new order (SPEC 20). So a
// certificate of an ACME order counts as replaced, and gets no further reminder, once a newer
// certificate of the same team covers all of its names; until then the reminder says that the
// ACME client should have renewed it, naming the credential.
//
// Exactly once, also with several servers and across restarts: each (certificate, threshold) is a
// row of certificate_reminders with a unique key, inserted in the same transaction that queues the
// e-mails in the outbox. A second server racing for the same reminder waits on that key and then
// inserts nothing, so it queues nothing. Only the nearest threshold due is sent: a certificate
// found with 5 days left gets the 7-day reminder, not the 30-day one as well.
import { DAY } from "../clock.js";
import type { Deps } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { certificateReminderEmail } from "../mail/reminder-email.js";
import { queueEmail } from "../mail/outbox.js";
import { holds, parseRoles } from "../policy/roles.js";

export const REMINDER_DAYS = [30, 7, 1] as const;

export type ReminderDeps = Pick<Deps, "db" | "clock" | "config" | "sealer" | "mail">;

/** Queues the reminders due now; returns how many certificates were reminded about. */
export async function sendReminders(deps: ReminderDeps): Promise<number> {
  const now = deps.clock.now();
  const horizon = new Date(now.getTime() + REMINDER_DAYS[0] * DAY).toISOString();
  const candidates = await deps.db.kysely
    .selectFrom("certificates as c")
    .innerJoin("orders as o", "o.id", "c.orderId")
    .leftJoin("acmeOrders as a", "a.orderId", "o.id")
    .leftJoin("acmeAccounts as acc", "acc.id", "a.accountId")
    .leftJoin("acmeCredentials as cred", "cred.id", "acc.credentialId")
    .select(["c.id", "c.orderId", "c.serialNumber", "c.notAfter", "o.teamId", "o.coverageEndsAt", "o.source", "cred.name as acmeCredentialName"])
    .where("c.notAfter", ">", now.toISOString())
    .where("c.notAfter", "<=", horizon)
    .where("c.revokedAt", "is", null)
    .where("o.status", "=", "issued")
    // The order's current certificate: no newer one exists (ids are time-ordered).
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("certificates as n").select("n.id").whereRef("n.orderId", "=", "c.orderId").whereRef("n.id", ">", "c.id"))),
    )
    .orderBy("c.notAfter")
    .limit(500)
    .execute();

  let reminded = 0;
  for (const cert of candidates) {
    if (cert.source === "acme" && (await renewedByAcme(deps, cert))) continue;
    const left = Date.parse(cert.notAfter) - now.getTime();
    const daysBefore = [...REMINDER_DAYS].reverse().find((d) => left <= d * DAY)!;
    const sent = await inTransaction(deps.db, async (tx) => {
      const claimed = await tx
        .insertInto("certificateReminders")
        .values({ certificateId: cert.id, daysBefore, sentAt: now.toISOString() })
        .onConflict((oc) => oc.columns(["certificateId", "daysBefore"]).doNothing())
        .returning("certificateId")
        .executeTakeFirst();
      if (!claimed) return false;
      const team = await tx.selectFrom("teams").select(["name", "ownerId"]).where("id", "=", cert.teamId).executeTakeFirstOrThrow();
      const members = await tx
        .selectFrom("memberships")
        .innerJoin("users", "users.id", "memberships.userId")
        .select(["users.id", "users.email", "memberships.roles"])
        .where("memberships.teamId", "=", cert.teamId)
        .orderBy("users.id")
        .execute();
      const domains = await tx.selectFrom("orderDomains").select("domain").where("orderId", "=", cert.orderId).orderBy("position").execute();
      const notAfter = new Date(cert.notAfter);
      const link = `${deps.config.baseUrl.replace(/\/+$/, "")}/teams/${cert.teamId}/orders/${cert.orderId}`;
      for (const member of members) {
        if (!holds({ isOwner: member.id === team.ownerId, roles: parseRoles(member.roles) }, "certificates.manage")) continue;
        await queueEmail(
          tx,
          deps,
          certificateReminderEmail({
            to: member.email,
            teamName: team.name,
            serial: cert.serialNumber,
            domains: domains.map((d) => d.domain),
            notAfter,
            daysBefore,
            link,
            coverageLeft: cert.coverageEndsAt !== null && Date.parse(cert.coverageEndsAt) > notAfter.getTime(),
            ...(cert.source === "acme" ? { acmeCredentialName: cert.acmeCredentialName ?? "(deleted)" } : {}),
          }),
        );
      }
      return true;
    });
    if (sent) reminded += 1;
  }
  if (reminded > 0) deps.mail.wake();
  return reminded;
}

/** Whether a newer, unrevoked certificate of the team names every name of this one's order. */
async function renewedByAcme(deps: ReminderDeps, cert: { id: string; orderId: string; teamId: string }): Promise<boolean> {
  const db = deps.db.kysely;
  const names = (await db.selectFrom("orderDomains").select("domain").where("orderId", "=", cert.orderId).execute()).map((d) => d.domain);
  if (names.length === 0) return false;
  // Newer orders of the team holding the first name, then each checked for all of them (few: a renewal or two).
  const newer = await db
    .selectFrom("certificates as n")
    .innerJoin("orders as o", "o.id", "n.orderId")
    .innerJoin("orderDomains as d", "d.orderId", "n.orderId")
    .select("n.orderId")
    .distinct()
    .where("o.teamId", "=", cert.teamId)
    .where("n.id", ">", cert.id)
    .where("n.orderId", "!=", cert.orderId)
    .where("n.revokedAt", "is", null)
    .where("d.domain", "=", names[0]!)
    .limit(20)
    .execute();
  for (const { orderId } of newer) {
    const covered = new Set((await db.selectFrom("orderDomains").select("domain").where("orderId", "=", orderId).execute()).map((d) => d.domain));
    if (names.every((name) => covered.has(name))) return true;
  }
  return false;
}
