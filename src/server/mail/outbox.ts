// E-mail is queued in the outbox table inside the transaction that causes it: a rolled-back
// change sends nothing, a committed one is sent by the dispatcher even after a crash.
import type { Clock } from "../clock.js";
import type { Executor } from "../db/transaction.js";
import { newId } from "../secrets.js";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export async function queueEmail(executor: Executor, clock: Clock, email: OutgoingEmail): Promise<string> {
  const now = clock.now();
  const id = newId(now.getTime());
  await executor
    .insertInto("outbox")
    .values({
      id,
      toAddress: email.to,
      subject: email.subject,
      textBody: email.text,
      htmlBody: email.html,
      createdAt: now.toISOString(),
      nextAttemptAt: now.toISOString(),
      sentAt: null,
      lastError: null,
    })
    .execute();
  return id;
}
