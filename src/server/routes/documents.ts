// /api/teams/:teamId/orders/:orderId/documents: upload (multipart, field "file"), list, download.
// Multipart parsing is registered for these routes only, so no other route accepts it.
import type { Readable } from "node:stream";
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { documentStorage } from "../account/document-storage.js";
import { MAX_DOCUMENT_BYTES } from "../account/document-types.js";
import { notExactlyOneFile, uploadDocument } from "../commands/upload-document.js";
import type { UploadPart } from "../commands/upload-document.js";
import { AppError } from "../errors.js";
import { getDocument, listDocuments, readDocument } from "../queries/documents.js";
import { Cursor, Id, Limit, page } from "../../shared/schemas/common.js";
import { Document } from "../../shared/schemas/documents.js";
import { attachmentDisposition } from "./content-disposition.js";
import type { Services } from "./route-kit.js";
import { problems, teamCtxOf, typed } from "./route-kit.js";
import { OrderParams } from "./params.js";

const tags = ["documents"];
/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 128 * 1024;

/** The download's own policy: stricter than the API's, as the body is a file the client chose. */
const DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'";

/** The body's parts; a second file is a malformed request, not a large one (busboy's files limit reports it). */
async function* partsOf(parts: AsyncIterable<UploadPart>): AsyncGenerator<UploadPart> {
  try {
    yield* parts;
  } catch (error) {
    if ((error as { code?: unknown }).code === "FST_FILES_LIMIT") throw notExactlyOneFile();
    throw error;
  }
}

export async function documentRoutes(base: FastifyInstance, services: Services): Promise<void> {
  const storage = documentStorage(services.db, services.config.dataDir);
  await base.register(async (scope) => {
    await scope.register(multipart, {
      limits: {
        // One byte past the limit reaches stageUpload, which answers 413; busboy's cap is the backstop.
        fileSize: MAX_DOCUMENT_BYTES + 1,
        files: 1,
        fields: 4,
        fieldSize: 1024,
        fieldNameSize: 100,
        parts: 5,
        headerPairs: 20,
      },
    });
    const app = typed(scope);

    app.post(
      "/teams/:teamId/orders/:orderId/documents",
      {
        config: { access: "validation.manage" },
        schema: {
          tags,
          summary: "Upload a validation document (multipart field \"file\"): PDF, PNG or JPEG by content, at most 10 MiB",
          description:
            "Send multipart/form-data with one file in the field `file`. The type is decided by the file's first bytes " +
            "(%PDF-, the PNG signature, FF D8 FF), never by its declared type or name: anything else is 415. Over 10 MiB is 413; empty, a second file, or a body cut short is 400. " +
            "The stored name is the file name's last segment without control characters, at most 200 characters.",
          consumes: ["multipart/form-data"],
          params: OrderParams,
          response: { 201: Type.Object({ document: Document }), ...problems(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const { teamId, orderId } = request.params;
        const ctx = teamCtxOf(request, services);
        // A declared length already past the limit is refused before a byte of it is read.
        const declared = Number(request.headers["content-length"]);
        if (Number.isFinite(declared) && declared > MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD) {
          throw new AppError("payload_too_large", `Documents may be at most ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MiB.`);
        }
        const id = await uploadDocument(ctx, orderId, partsOf(request.parts()));
        return reply.status(201).send({ document: await getDocument(services.db.kysely, teamId, orderId, id) });
      },
    );

    app.get(
      "/teams/:teamId/orders/:orderId/documents",
      {
        config: { access: "validation.view" },
        schema: {
          tags,
          summary: "The order's documents, newest first",
          params: OrderParams,
          querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
          response: { 200: page(Document), ...problems(400, 401, 403, 404) },
        },
      },
      async (request) =>
        listDocuments(services.db.kysely, request.params.teamId, request.params.orderId, {
          limit: request.query.limit ?? 50,
          cursor: request.query.cursor,
        }),
    );

    app.get(
      "/teams/:teamId/orders/:orderId/documents/:documentId",
      {
        config: { access: "validation.view" },
        schema: {
          tags,
          summary: "Download a document (as an attachment, its checksum verified first)",
          params: Type.Object({ teamId: Id, orderId: Id, documentId: Id }, { additionalProperties: false }),
          produces: ["application/pdf", "image/png", "image/jpeg"],
          response: { 200: Type.Unsafe<Readable>({ type: "string", format: "binary" }), ...problems(400, 401, 403, 404, 500) },
        },
      },
      async (request, reply) => {
        const { document, content } = await readDocument(services.db.kysely, storage, request.log, request.params);
        return reply
          .type(document.mediaType)
          // Streamed: the length tells the client that a stream cut short is not the whole file.
          .header("content-length", document.size)
          .header("content-disposition", attachmentDisposition(document.filename))
          .header("x-content-type-options", "nosniff")
          // Should a browser open it anyway, it runs nothing, loads nothing on our origin, and no
          // other site can frame it (SECURITY 6).
          .header("content-security-policy", DOWNLOAD_CSP)
          .send(content);
      },
    );
  });
}
