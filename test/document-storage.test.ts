// Where documents' bytes are kept (account/document-storage.ts): files under DATA_DIR on SQLite,
// rows of at most 256 KiB in the database on PostgreSQL (issue 13: every server reads what another
// received). A document of many chunks comes back byte-identical, streamed with its length; deleting
// the team removes its documents' bytes; and bytes that change between the check and the sending
// end the download before its last piece, so a client never receives a whole altered file.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_CHUNK_BYTES, documentStorage } from "../src/server/account/document-storage.js";
import type { DocumentStorage } from "../src/server/account/document-storage.js";
import { readDocument } from "../src/server/queries/documents.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { createTeam, uniqueDomain } from "./helpers/fixtures.js";
import { seedOrder } from "./helpers/orders.js";
import { filePart, filesUnder, postMultipart, replaceStoredDocumentBytes, samplePdf, storedDocumentBytes } from "./helpers/uploads.js";

const MiB = 1024 * 1024;

describe.each(ENGINES)("document storage on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;
  let teamId: string;
  let orderId: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    owner = await h.signUp("Storage Owner");
    teamId = await createTeam(owner.client, "Storage team");
    orderId = await seedOrder(h, teamId, owner.user.id, [uniqueDomain("storage")]);
  });
  afterAll(() => h?.close());

  const docsUrl = () => `/api/teams/${teamId}/orders/${orderId}/documents`;
  const upload = async (name: string, bytes: Buffer) => {
    const response = await postMultipart(h, owner.client, docsUrl(), filePart(name, bytes));
    expect(response.statusCode).toBe(201);
    return response.json().document as { id: string; size: number };
  };

  it("keeps a document of many chunks whole: stored in pieces of at most 256 KiB, downloaded byte-identical with its length", async () => {
    const bytes = Buffer.concat([samplePdf("chunks"), Buffer.alloc(3 * MiB + 12_345, 0x41)]);
    const doc = await upload("chunks.pdf", bytes);
    if (engine === "postgres") {
      const rows = await h.t.db.kysely
        .selectFrom("documentChunks")
        .select(["position", (eb) => eb.fn<number>("octet_length", ["bytes"]).as("length")])
        .where("documentId", "=", doc.id)
        .orderBy("position")
        .execute();
      expect(rows.map((row) => row.position)).toEqual([...Array(Math.ceil(bytes.length / DOCUMENT_CHUNK_BYTES)).keys()]);
      expect(rows.slice(0, -1).every((row) => Number(row.length) === DOCUMENT_CHUNK_BYTES)).toBe(true);
    }
    const download = await owner.client.get(`${docsUrl()}/${doc.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-length"]).toBe(String(bytes.length));
    expect(download.rawPayload.equals(bytes)).toBe(true);
  });

  it("ends the download before its last piece when the bytes change after the check", async () => {
    const bytes = Buffer.concat([samplePdf("changing"), Buffer.alloc(DOCUMENT_CHUNK_BYTES * 2, 0x42)]);
    const doc = await upload("changing.pdf", bytes);
    const real = documentStorage(h.t.db, h.config.dataDir);
    // The store as a concurrent writer would leave it: the check reads the original, then someone
    // swaps the bytes (same size) before they are sent.
    const swapping: DocumentStorage = {
      ...real,
      async open(team, id) {
        const stored = await real.open(team, id);
        if (!stored) return undefined;
        // The read that sends: the first when the store hashes where the bytes are, else the second.
        const sending = stored.sha256 ? 1 : 2;
        let reads = 0;
        return {
          size: stored.size,
          ...(stored.sha256 && { sha256: stored.sha256 }),
          read() {
            reads += 1;
            if (reads !== sending) return stored.read();
            return (async function* () {
              const altered = Buffer.from(bytes);
              altered[altered.length - 1] = 0x43;
              await replaceStoredDocumentBytes(h, team, id, altered);
              yield* (await real.open(team, id))!.read();
            })();
          },
        };
      },
    };
    const errors: unknown[] = [];
    const log = { ...h.app.log, error: (...args: unknown[]) => void errors.push(args) } as typeof h.app.log;
    const { content } = await readDocument(h.t.db.kysely, swapping, log, { teamId, orderId, documentId: doc.id });
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done();
      },
    });
    await expect(pipeline(content, sink)).rejects.toMatchObject({ code: "document_corrupted" });
    expect(received).toBeLessThan(bytes.length);
    expect(errors).toHaveLength(1);
  });

  it("deleting the team removes its documents' bytes", async () => {
    const doc = await upload("goes-with-the-team.pdf", samplePdf("team"));
    expect(await storedDocumentBytes(h, teamId, doc.id)).toBeDefined();
    expect((await owner.client.delete(`/api/teams/${teamId}`)).statusCode).toBe(204);
    expect(await storedDocumentBytes(h, teamId, doc.id)).toBeUndefined();
    expect(filesUnder(`${h.config.dataDir}/documents`).filter((file) => !file.startsWith("tmp"))).toEqual([]);
    if (engine === "postgres") expect(await h.t.db.kysely.selectFrom("documentChunks").select("documentId").execute()).toEqual([]);
  });
});
