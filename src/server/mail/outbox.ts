// E-mail is queued in the outbox table inside the transaction that causes it: a rolled-back
// change sends nothing, a committed one is sent by the dispatcher even after a crash.
//
// The bodies carry one-time links (invitations, password resets) whose tokens the database otherwise
// keeps only as hashes, so they are stored sealed with the master key (SECURITY.md 25): a copy of the
// database, its WAL or a dump, taken while an e-mail waits, holds no usable link. The subject stays
// readable (it names no secret, and the operator reads it after the bodies are gone). Each body is
// bound to its row and recipient: moved to another row, or readdressed, it no longer opens.
import type { Clock } from "../clock.js";
import type { Db } from "../db/create-db.js";
import type { Executor } from "../db/transaction.js";
import { isSealed } from "../sealer.js";
import type { Sealer } from "../sealer.js";
import { newId } from "../secrets.js";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What queueing needs from the long-lived dependencies (a Deps or Ctx will do). */
export interface QueueDeps {
  clock: Clock;
  sealer: Sealer;
}

/** The authenticated context of one body: its row, its recipient and which part it is. */
function bodyContext(id: string, to: string, part: "text" | "html"): string {
  return `outbox ${id} ${to} ${part}`;
}

export async function queueEmail(executor: Executor, deps: QueueDeps, email: OutgoingEmail): Promise<string> {
  const now = deps.clock.now();
  const id = newId(now.getTime());
  await executor
    .insertInto("outbox")
    .values({
      id,
      toAddress: email.to,
      subject: email.subject,
      textBody: deps.sealer.seal(email.text, bodyContext(id, email.to, "text")),
      htmlBody: deps.sealer.seal(email.html, bodyContext(id, email.to, "html")),
      createdAt: now.toISOString(),
      nextAttemptAt: now.toISOString(),
      sentAt: null,
      lastError: null,
    })
    .execute();
  return id;
}

export interface StoredEmail {
  id: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
}

/** The e-mail a stored row holds; throws SealError when a body does not open with this master key. */
export function openEmail(sealer: Sealer, row: StoredEmail): OutgoingEmail {
  return {
    to: row.toAddress,
    subject: row.subject,
    text: sealer.open(row.textBody, bodyContext(row.id, row.toAddress, "text")),
    html: sealer.open(row.htmlBody, bodyContext(row.id, row.toAddress, "html")),
  };
}

/**
 * Seals the bodies of e-mails queued in plain text by a release before sealing (run once the master
 * key is known, before the dispatcher starts). Each row is rewritten only if it still holds what was
 * read, so servers starting together seal each row once. Returns how many rows it sealed.
 */
export async function sealPlainBodies(db: Db, sealer: Sealer): Promise<number> {
  const rows = await db.kysely
    .selectFrom("outbox")
    .select(["id", "toAddress", "textBody", "htmlBody"])
    .where("sentAt", "is", null)
    .where("failedAt", "is", null)
    .where((eb) => eb.or([eb("textBody", "not like", "v%.%"), eb("htmlBody", "not like", "v%.%")]))
    .execute();
  let sealed = 0;
  for (const row of rows) {
    if (isSealed(row.textBody) && isSealed(row.htmlBody)) continue;
    const seal = (body: string, part: "text" | "html") => (isSealed(body) ? body : sealer.seal(body, bodyContext(row.id, row.toAddress, part)));
    const result = await db.kysely
      .updateTable("outbox")
      .set({ textBody: seal(row.textBody, "text"), htmlBody: seal(row.htmlBody, "html") })
      .where("id", "=", row.id)
      .where("textBody", "=", row.textBody)
      .where("htmlBody", "=", row.htmlBody)
      .executeTakeFirst();
    if (result.numUpdatedRows === 1n) sealed += 1;
  }
  return sealed;
}
