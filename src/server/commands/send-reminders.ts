// Reminders before a certificate ends (SPEC 19): 30, 7 and 1 days before notAfter, for the order's
// current certificate only (a newer certificate of the order replaced an older one; a revoked or
// refunded one needs none), every member holding certificates.manage gets one e-mail.
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
    .select(["c.id", "c.orderId", "c.serialNumber", "c.notAfter", "o.teamId", "o.coverageEndsAt"])
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
