// An order's validation documents: the list, one document, and its bytes, checked against the
// size and SHA-256 recorded at upload before a single byte is sent.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import type { DocumentStorage, StoredContent } from "../account/document-storage.js";
import type { DocumentMediaType } from "../account/document-types.js";
import { presentActor } from "../auth/principal.js";
import type { Executor } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { Page } from "../../shared/schemas/common.js";
import type { DocumentDto } from "../../shared/schemas/documents.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

function documentsOf(executor: Executor, teamId: string, orderId: string) {
  return executor
    .selectFrom("documents")
    .innerJoin("users", "users.id", "documents.uploadedBy")
    .select([
      "documents.id",
      "documents.orderId",
      "documents.filename",
      "documents.mediaType",
      "documents.size",
      "documents.sha256",
      "documents.createdAt",
      "users.id as uploaderId",
      "users.email as uploaderEmail",
      "documents.apiKeyId",
    ])
    .where("documents.teamId", "=", teamId)
    .where("documents.orderId", "=", orderId);
}

type DocumentRow = Awaited<ReturnType<ReturnType<typeof documentsOf>["executeTakeFirstOrThrow"]>>;

function present(row: DocumentRow): DocumentDto {
  return {
    id: row.id,
    orderId: row.orderId,
    filename: row.filename,
    mediaType: row.mediaType as DocumentMediaType,
    size: Number(row.size),
    sha256: row.sha256,
    uploadedBy: presentActor(row.uploaderId, row.uploaderEmail, row.apiKeyId),
    createdAt: row.createdAt,
  };
}

async function assertOrderOfTeam(executor: Executor, teamId: string, orderId: string): Promise<void> {
  const order = await executor.selectFrom("orders").select("id").where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
}

/** Newest first, keyset-paginated on the time-ordered id. */
export async function listDocuments(
  executor: Executor,
  teamId: string,
  orderId: string,
  input: { limit: number; cursor?: string },
): Promise<Page<DocumentDto>> {
  await assertOrderOfTeam(executor, teamId, orderId);
  const after = decodeCursor(input.cursor, 1);
  let query = documentsOf(executor, teamId, orderId);
  if (after) query = query.where("documents.id", "<", after[0]!);
  const rows = await query.orderBy("documents.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return { items: page.map(present), nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

export async function getDocument(executor: Executor, teamId: string, orderId: string, documentId: string): Promise<DocumentDto> {
  const row = await documentsOf(executor, teamId, orderId).where("documents.id", "=", documentId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such document.");
  return present(row);
}

/**
 * The document and a stream of its bytes, verified: content that is missing, of another size or
 * another hash than recorded is never sent (a validator must not approve on a damaged or swapped
 * file). That is a fault of the store, not of the request: logged as an error, answered 500
 * document_corrupted. No document is ever held whole in memory here: the content is checked
 * before answering (read through a piece at a time, or hashed by the store where it lies), then
 * streamed and checked again on the way; should it change in between, the stream fails before its
 * end and the client never receives a whole altered file.
 */
export async function readDocument(
  executor: Executor,
  storage: DocumentStorage,
  log: FastifyBaseLogger,
  ids: { teamId: string; orderId: string; documentId: string },
): Promise<{ document: DocumentDto; content: Readable }> {
  const document = await getDocument(executor, ids.teamId, ids.orderId, ids.documentId);
  const fault = (problem: string, extra: Record<string, unknown>) => {
    log.error({ documentId: document.id, teamId: ids.teamId, problem, ...extra }, "stored document failed its integrity check");
    return new AppError("document_corrupted", `The stored copy of this document is ${problem}; it was not sent. Please upload it again.`);
  };
  const stored = await storage.open(ids.teamId, ids.documentId);
  if (!stored) throw fault("missing", {});
  if (stored.size !== document.size) throw fault("damaged (its size changed)", { expectedSize: document.size, actualSize: stored.size });
  const problem = await mismatch(stored, document);
  if (problem) throw fault("damaged (its checksum changed)", problem);
  return {
    document,
    content: Readable.from(
      (async function* () {
        const hash = createHash("sha256");
        let size = 0;
        // One piece is held back: the last is sent only once the whole has been checked again.
        let held: Buffer | undefined;
        for await (const chunk of stored.read()) {
          size += chunk.length;
          hash.update(chunk);
          if (held) yield held;
          held = chunk;
        }
        const actualSha256 = hash.digest("hex");
        if (size !== document.size || actualSha256 !== document.sha256) {
          throw fault("damaged (it changed while being sent)", { expectedSha256: document.sha256, actualSha256, actualSize: size });
        }
        if (held) yield held;
      })(),
    ),
  };
}

/** Reads the content through once (or asks the store): undefined when its size and SHA-256 are the recorded ones. */
async function mismatch(stored: StoredContent, document: DocumentDto): Promise<Record<string, unknown> | undefined> {
  if (stored.sha256) {
    const actualSha256 = await stored.sha256();
    return actualSha256 === document.sha256 ? undefined : { expectedSha256: document.sha256, actualSha256 };
  }
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stored.read()) {
    size += chunk.length;
    hash.update(chunk);
  }
  const actualSha256 = hash.digest("hex");
  if (size === document.size && actualSha256 === document.sha256) return undefined;
  return { expectedSha256: document.sha256, actualSha256, actualSize: size };
}
