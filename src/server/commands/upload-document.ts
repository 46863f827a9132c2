// Uploading a validation document, the whole use case in one place: the order is checked before a
// byte of the body is read; the one file part is streamed to a staging file while it is sniffed,
// measured and hashed (account/document-files.ts: 415, 413, 400); then the staged upload becomes the
// document's content (account/document-storage.ts: a file under DATA_DIR, or rows of PostgreSQL)
// and its row and audit entry are written in one transaction. If anything fails, before or at
// commit, the content goes too: a refused upload leaves nothing stored.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { removeFile, sanitizeFilename, stageUpload } from "../account/document-files.js";
import type { StagedUpload } from "../account/document-files.js";
import { documentStorage } from "../account/document-storage.js";
import type { TeamCtx } from "../context.js";
import type { Executor } from "../db/transaction.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { assertNotRefunded, lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

/** One part of a multipart/form-data body, in the order the client sent them. */
export type UploadPart =
  | { type: "file"; fieldname: string; filename?: string; file: AsyncIterable<Buffer> }
  | { type: "field"; fieldname: string };

/** The 400 for a body without exactly one file in the field "file". */
export function notExactlyOneFile(): AppError {
  return new AppError("invalid_request", 'Send the document as the multipart/form-data field "file".', {
    errors: [{ field: "file", message: "is required (exactly one file)" }],
  });
}

/**
 * Uploads the one file of `parts` to the order; returns the new document's id. Reads `parts` to
 * the end, so that a limit the parser hits after the file (a second file) is reported; a few small
 * fields beside the file are tolerated and ignored.
 */
export async function uploadDocument(ctx: TeamCtx, orderId: string, parts: AsyncIterable<UploadPart>): Promise<string> {
  await assertOrderTakesDocuments(ctx.db.kysely, ctx.team.id, orderId);
  let staged: StagedUpload | undefined;
  let filename = "";
  try {
    for await (const part of parts) {
      if (part.type !== "file") continue;
      if (part.fieldname !== "file" || staged) throw notExactlyOneFile();
      staged = await stageUpload(ctx.config.dataDir, part.file);
      filename = sanitizeFilename(part.filename);
    }
  } catch (error) {
    if (staged) await removeFile(staged.tempPath);
    throw error;
  }
  if (!staged) throw notExactlyOneFile();
  return recordUploadedDocument(ctx, orderId, staged, filename);
}

/** Checked before the body is read, so an upload to a missing or closed order is refused unread. */
async function assertOrderTakesDocuments(executor: Executor, teamId: string, orderId: string): Promise<void> {
  const order = await executor.selectFrom("orders").selectAll().where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  assertNotRefunded(order);
}

async function recordUploadedDocument(ctx: TeamCtx, orderId: string, staged: StagedUpload, filename: string): Promise<string> {
  const teamId = ctx.team.id;
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  const storage = documentStorage(ctx.db, ctx.config.dataDir);
  try {
    await inTransaction(ctx.db, async (tx) => {
      // The content first, before any lock (see document-storage.ts): once the row is visible, its
      // content is already in place, and a failure below takes it away again.
      await storage.put(tx, staged, teamId, id);
      // Then the team: a deletion under way finishes before this, or this before it (and then
      // the deletion removes the team's documents with it).
      await lockTeam(tx, ctx.db, teamId);
      // Checked again under the lock: the order may have been refunded while the file streamed in.
      assertNotRefunded(await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId));
      await tx
        .insertInto("documents")
        .values({
          id,
          teamId,
          orderId,
          filename,
          mediaType: staged.mediaType,
          size: staged.size,
          sha256: staged.sha256,
          uploadedBy: accountableUserId(ctx.principal),
          apiKeyId: apiKeyIdOf(ctx.principal),
          createdAt: now.toISOString(),
        })
        .execute();
      await recordAudit(tx, ctx.clock, {
        teamId,
        actor: auditActorOf(ctx.principal),
        action: "document.uploaded",
        target: id,
        details: { orderId, filename, mediaType: staged.mediaType, size: staged.size, sha256: staged.sha256 },
      });
    });
  } catch (error) {
    await storage.discard(teamId, id);
    throw error;
  } finally {
    await removeFile(staged.tempPath); // moved or copied by now, or refused
  }
  return id;
}
