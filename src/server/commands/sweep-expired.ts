// Deletes what can never be used again, so that the tables hold live data only: sessions past
// their absolute end or idle longer than the idle timeout (resolveSession would refuse them),
// password-reset links past their hour (a used link is refused as an expired one would be),
// and sent or refused e-mails once they are a month old (the outbox is a queue, not an archive;
// their bodies were already blanked when they left). Invitations are kept: an expired one is
// shown as `expired` in the team's list. One transaction; run twice, or by several servers at
// once, it deletes each row once (test/sweep-expired.test.ts runs five at once on both engines).
import { DAY, MINUTE } from "../clock.js";
import type { Deps } from "../context.js";
import { inTransaction } from "../db/transaction.js";

/** How long a sent or refused e-mail's row (recipient, subject, times, last error) is kept. */
export const OUTBOX_RETENTION_DAYS = 30;

export interface SweepResult {
  sessions: number;
  passwordResets: number;
  outbox: number;
}

export async function sweepExpired(deps: Pick<Deps, "db" | "clock" | "config">): Promise<SweepResult> {
  const now = deps.clock.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const idleSince = iso(now - deps.config.sessionIdleMinutes * MINUTE);
  const keepOutboxSince = iso(now - OUTBOX_RETENTION_DAYS * DAY);
  return inTransaction(deps.db, async (tx) => {
    // Each condition on its own index (see migration 0005); an OR of both would scan.
    const ended = await tx.deleteFrom("sessions").where("expiresAt", "<=", iso(now)).executeTakeFirst();
    const idle = await tx.deleteFrom("sessions").where("lastSeenAt", "<=", idleSince).executeTakeFirst();
    const resets = await tx.deleteFrom("passwordResets").where("expiresAt", "<=", iso(now)).executeTakeFirst();
    const sent = await tx.deleteFrom("outbox").where("sentAt", "<=", keepOutboxSince).executeTakeFirst();
    const refused = await tx.deleteFrom("outbox").where("failedAt", "<=", keepOutboxSince).executeTakeFirst();
    return {
      sessions: Number(ended.numDeletedRows + idle.numDeletedRows),
      passwordResets: Number(resets.numDeletedRows),
      outbox: Number(sent.numDeletedRows + refused.numDeletedRows),
    };
  });
}
