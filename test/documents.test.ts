// Validation documents: accepted by content (PDF, PNG, JPEG magic bytes), never by declared type or
// name; size-limited; streamed to a staging file and stored (moved into place under DATA_DIR on
// SQLite, copied into the database on PostgreSQL) in the transaction that records them.
// After every refused upload — wrong type, too large, empty, database failure, client gone — the
// documents directory holds exactly what it held before and the database is unchanged.
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client, TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { buildTeamFixture, snapshot, uniqueDomain } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";
import { auditActions, markRefunded, seedOrder } from "./helpers/orders.js";
import {
  SAMPLE_JPEG,
  elfBinary,
  filePart,
  filesUnder,
  multipartBody,
  mzBinary,
  postMultipart,
  replaceStoredDocumentBytes,
  samplePdf,
  samplePng,
  storedDocumentBytes,
} from "./helpers/uploads.js";
import type { Part } from "./helpers/uploads.js";

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe.each(ENGINES)("documents on %s", (engine) => {
  let h: TestApp;
  let F: TeamFixture;
  let orderId: string;
  let documentsDir: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    F = await buildTeamFixture(h, "Documents");
    orderId = await seedOrder(h, F.teamId, F.owner.user.id, [uniqueDomain("docs")]);
    documentsDir = path.join(h.config.dataDir, "documents");
  });
  afterAll(() => h?.close());

  const docsUrl = (order = orderId, teamId = F.teamId) => `/api/teams/${teamId}/orders/${order}/documents`;
  const upload = (parts: Part[], client: Client = F.members.validation.client, url = docsUrl()) => postMultipart(h, client, url, parts);

  /** Runs a refused upload and checks that neither the disk nor the database kept anything of it. */
  async function refused(status: number, code: string, send: () => Promise<{ statusCode: number; json(): { code: string } }>) {
    const filesBefore = filesUnder(documentsDir);
    const dbBefore = await snapshot(h.t.db);
    const response = await send();
    expect(response.statusCode).toBe(status);
    expect(response.json().code).toBe(code);
    expect(filesUnder(documentsDir)).toEqual(filesBefore);
    expect(filesUnder(path.join(documentsDir, "tmp"))).toEqual([]);
    expect(await snapshot(h.t.db)).toEqual(dbBefore);
    return response;
  }

  it("accepts a real PDF: 201, stored (under documents/<team>/<id> on SQLite), audited with its uploader", async () => {
    const pdf = samplePdf("accepted");
    const response = await upload(filePart("proof of control.pdf", pdf, "application/pdf"));
    expect(response.statusCode).toBe(201);
    const { document } = response.json();
    expect(document).toMatchObject({
      orderId,
      filename: "proof of control.pdf",
      mediaType: "application/pdf",
      size: pdf.length,
      sha256: sha256(pdf),
      uploadedBy: { type: "user", id: F.members.validation.user.id, email: F.members.validation.user.email },
      createdAt: h.clock.now().toISOString(),
    });
    if (engine === "sqlite") expect(fs.readFileSync(path.join(documentsDir, F.teamId, document.id)).equals(pdf)).toBe(true);
    else expect(filesUnder(documentsDir).filter((file) => !file.startsWith("tmp"))).toEqual([]); // in the database only
    expect((await storedDocumentBytes(h, F.teamId, document.id))?.equals(pdf)).toBe(true);
    expect(filesUnder(path.join(documentsDir, "tmp"))).toEqual([]);

    const entry = (await auditActions(h, F.teamId, document.id)).find((e) => e.action === "document.uploaded")!;
    expect(entry.actorId).toBe(F.members.validation.user.id);
    expect(entry.details).toMatchObject({ orderId, filename: "proof of control.pdf", mediaType: "application/pdf", size: pdf.length, sha256: sha256(pdf) });
  });

  it("judges PNG and JPEG by their bytes, whatever name and type the client declares; downloads them byte-identical", async () => {
    const png = samplePng();
    const pngDoc = (await upload(filePart("scan.bin", png, "application/octet-stream"))).json().document;
    expect(pngDoc.mediaType).toBe("image/png");
    const jpegDoc = (await upload(filePart("photo.pdf", SAMPLE_JPEG, "application/pdf"))).json().document;
    expect(jpegDoc.mediaType).toBe("image/jpeg");

    for (const [doc, bytes, type] of [
      [pngDoc, png, "image/png"],
      [jpegDoc, SAMPLE_JPEG, "image/jpeg"],
    ] as const) {
      const download = await F.members.validation.client.get(`${docsUrl()}/${doc.id}`);
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(bytes)).toBe(true);
      expect(download.headers["content-type"]).toBe(type);
      expect(download.headers["x-content-type-options"]).toBe("nosniff");
      // Opened anyway, it runs and loads nothing, and no other site may frame it (SECURITY 6).
      expect(download.headers["content-security-policy"]).toBe("default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'");
      expect(download.headers["content-disposition"]).toBe(`attachment; filename="${doc.filename}"; filename*=UTF-8''${doc.filename}`);
    }
  });

  it("lists an order's documents newest first, page by page, for validation.view holders", async () => {
    const order = await seedOrder(h, F.teamId, F.owner.user.id, [uniqueDomain("list")]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(filePart(`doc-${i}.pdf`, samplePdf(`n${i}`)), F.owner.client, docsUrl(order))).json().document.id);

    const first = await F.members.validation.client.get(`${docsUrl(order)}?limit=2`);
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    const second = await F.members.validation.client.get(`${docsUrl(order)}?limit=2&cursor=${first.json().nextCursor}`);
    expect(second.json()).toEqual({ items: [expect.objectContaining({ id: ids[0], filename: "doc-0.pdf" })], nextCursor: null });
    expect((await F.members.account_admin.client.get(docsUrl(order))).json().items).toHaveLength(3);
    expect((await F.members.validation.client.get(`${docsUrl(order)}?cursor=forged`)).statusCode).toBe(400);
  });

  it("refuses renamed executables and other types by content with 415, keeping nothing", async () => {
    for (const bytes of [elfBinary(), mzBinary(), Buffer.from("<html><script>alert(1)</script></html>"), Buffer.from("just text, no magic")]) {
      await refused(415, "unsupported_media_type", () => upload(filePart("invoice.pdf", bytes, "application/pdf")));
    }
    // A file too short to hold any signature is no accepted type either.
    await refused(415, "unsupported_media_type", () => upload(filePart("tiny.pdf", Buffer.from("%PD"), "application/pdf")));
  });

  it("refuses files over 10 MiB with 413 — declared too long, or found too long while streaming — keeping nothing", async () => {
    const big = Buffer.concat([samplePdf(), Buffer.alloc(11 * MiB - samplePdf().length, 0x20)]);
    await refused(413, "payload_too_large", () => upload(filePart("big.pdf", big, "application/pdf")));

    // One byte over: the declared length is within the multipart allowance, so the stream itself is cut.
    const justOver = Buffer.concat([samplePdf(), Buffer.alloc(10 * MiB + 1 - samplePdf().length, 0x20)]);
    await refused(413, "payload_too_large", () => upload(filePart("just-over.pdf", justOver, "application/pdf")));

    // No Content-Length at all (chunked): the stream is cut at the limit too.
    const { payload, contentType } = multipartBody(filePart("chunked.pdf", big, "application/pdf"));
    await refused(413, "payload_too_large", () =>
      h.app.inject({
        method: "POST",
        url: docsUrl(),
        payload: Readable.from([payload.subarray(0, 5 * MiB), payload.subarray(5 * MiB)]),
        headers: { "content-type": contentType, "x-requested-with": "certdesk", cookie: F.members.validation.client.cookie! },
      }),
    );

    const exactly = Buffer.concat([samplePdf(), Buffer.alloc(10 * MiB - samplePdf().length, 0x20)]);
    const accepted = await upload(filePart("exactly-10-MiB.pdf", exactly, "application/pdf"));
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().document.size).toBe(10 * MiB);
  });

  it("refuses empty files, missing or misnamed file fields, several files and non-multipart bodies", async () => {
    await refused(400, "invalid_request", () => upload(filePart("empty.pdf", Buffer.alloc(0), "application/pdf")));
    await refused(400, "invalid_request", () => upload([{ name: "note", content: "no file here" }]));
    await refused(400, "invalid_request", () => upload([{ name: "document", filename: "a.pdf", contentType: "application/pdf", content: samplePdf() }]));
    // A second file makes the request malformed, not too large (test/upload-truncation.test.ts has the rest).
    await refused(400, "invalid_request", () => upload([...filePart("a.pdf", samplePdf()), ...filePart("b.pdf", samplePdf())]));
    await refused(415, "unsupported_media_type", () => F.members.validation.client.post(docsUrl(), { file: "%PDF-1.4" }));
    await refused(415, "unsupported_media_type", () =>
      F.members.validation.client.request("POST", docsUrl(), "%PDF-1.4 raw", { "content-type": "application/pdf" }),
    );
    // A small text field next to the file is tolerated.
    const withField = await upload([{ name: "note", content: "from the registrar" }, ...filePart("with-note.pdf", samplePdf())]);
    expect(withField.statusCode).toBe(201);
  });

  it("stores a sanitized file name and sends it back in an RFC 8187 Content-Disposition", async () => {
    const cases: [string, string][] = [
      ["../../etc/passwd.pdf", "passwd.pdf"],
      ["C:\\Users\\ada\\scan.pdf", "scan.pdf"],
      ["inv\u0000oi\u0007ce\u202Efdp.exe", "invoicefdp.exe"],
      ["   ", "document"],
      ["..", "document"],
      [`${"é".repeat(250)}.pdf`, "é".repeat(200)],
    ];
    for (const [raw, stored] of cases) {
      const response = await upload(filePart(raw, samplePdf(), "application/pdf"));
      expect(response.statusCode, raw).toBe(201);
      expect(response.json().document.filename, raw).toBe(stored);
    }

    const name = "Résumé ✓ (final).pdf";
    const doc = (await upload(filePart(name, samplePdf(), "application/pdf"))).json().document;
    expect(doc.filename).toBe(name);
    const download = await F.members.validation.client.get(`${docsUrl()}/${doc.id}`);
    expect(download.headers["content-disposition"]).toBe(
      `attachment; filename="R_sum_ _ (final).pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%9C%93%20%28final%29.pdf`,
    );
  });

  it("never serves a stored file whose bytes changed or vanished: 500 document_corrupted", async () => {
    const pdf = samplePdf("integrity");
    const doc = (await upload(filePart("integrity.pdf", pdf))).json().document;
    const replace = (bytes: Buffer | undefined) => replaceStoredDocumentBytes(h, F.teamId, doc.id, bytes);

    const flipped = Buffer.from(pdf);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0x01; // same size, other hash
    await replace(flipped);
    const damaged = await F.members.validation.client.get(`${docsUrl()}/${doc.id}`);
    expect(damaged.statusCode).toBe(500);
    expect(damaged.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(damaged.json().code).toBe("document_corrupted");

    await replace(Buffer.concat([pdf, Buffer.from("appended")]));
    expect((await F.members.validation.client.get(`${docsUrl()}/${doc.id}`)).json().code).toBe("document_corrupted");

    await replace(undefined);
    const missing = await F.members.validation.client.get(`${docsUrl()}/${doc.id}`);
    expect(missing.statusCode).toBe(500);
    expect(missing.json().code).toBe("document_corrupted");

    await replace(pdf); // restored, it is served again
    expect((await F.members.validation.client.get(`${docsUrl()}/${doc.id}`)).rawPayload.equals(pdf)).toBe(true);
  });

  it("a database failure while recording leaves no file behind", async () => {
    await sql`alter table documents rename to documents_away`.execute(h.t.db.kysely);
    try {
      const filesBefore = filesUnder(documentsDir);
      const response = await upload(filePart("db-down.pdf", samplePdf()));
      expect(response.statusCode).toBe(500);
      expect(response.json().code).toBe("internal");
      expect(filesUnder(documentsDir)).toEqual(filesBefore);
    } finally {
      await sql`alter table documents_away rename to documents`.execute(h.t.db.kysely);
    }
    const auditAfter = await auditActions(h, F.teamId);
    expect(auditAfter.filter((e) => e.details.filename === "db-down.pdf")).toEqual([]);
  });

  it("a client that hangs up mid-upload leaves no file behind", async () => {
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = h.app.server.address() as AddressInfo;
    const { payload, contentType } = multipartBody(filePart("abandoned.pdf", Buffer.concat([samplePdf(), Buffer.alloc(8 * MiB, 0x20)])));
    const filesBefore = filesUnder(documentsDir);
    const rowsBefore = await h.t.db.kysely.selectFrom("documents").select("id").execute();
    const tmpDir = path.join(documentsDir, "tmp");

    const request = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: docsUrl(),
      headers: { "content-type": contentType, "content-length": payload.length, "x-requested-with": "certdesk", cookie: F.members.validation.client.cookie! },
    });
    request.on("error", () => undefined); // the abort below is the point
    request.write(payload.subarray(0, 2 * MiB));
    // Wait until the server is writing the upload to its temporary file, then hang up.
    await until(() => filesUnder(tmpDir).length > 0);
    request.destroy();
    await until(() => filesUnder(tmpDir).length === 0);
    expect(filesUnder(documentsDir)).toEqual(filesBefore);
    expect(await h.t.db.kysely.selectFrom("documents").select("id").execute()).toEqual(rowsBefore);
  });

  it("a refunded order takes no documents: 409 order_refunded, unread", async () => {
    const order = await seedOrder(h, F.teamId, F.owner.user.id, [uniqueDomain("refunded-docs")]);
    await markRefunded(h, order);
    await refused(409, "order_refunded", () => upload(filePart("late.pdf", samplePdf()), F.owner.client, docsUrl(order)));
  });

  it("only validation holders upload and read; other teams and other orders' paths are 404", async () => {
    const doc = (await upload(filePart("guarded.pdf", samplePdf("guarded")))).json().document;
    const otherOrder = await seedOrder(h, F.teamId, F.owner.user.id, [uniqueDomain("other")]);

    for (const role of ["billing", "installer"] as const) {
      const client = F.members[role].client;
      const denied = await refused(403, "forbidden", () => upload(filePart("nope.pdf", samplePdf()), client));
      expect(denied.json()).toMatchObject({ detail: expect.stringContaining("validation.manage") });
      expect((await client.get(docsUrl())).statusCode).toBe(403);
      expect((await client.get(`${docsUrl()}/${doc.id}`)).statusCode).toBe(403);
    }
    await refused(404, "not_found", () => upload(filePart("nope.pdf", samplePdf()), F.outsider.client));
    await refused(401, "unauthenticated", () => upload(filePart("nope.pdf", samplePdf()), h.client()));

    // The outsider owns their own team; this team's order and document do not exist there.
    const outsiderTeam = F.outsider.defaultTeamId;
    await refused(404, "not_found", () => upload(filePart("nope.pdf", samplePdf()), F.outsider.client, docsUrl(orderId, outsiderTeam)));
    expect((await F.outsider.client.get(docsUrl(orderId, outsiderTeam))).statusCode).toBe(404);
    expect((await F.outsider.client.get(`${docsUrl(orderId, outsiderTeam)}/${doc.id}`)).statusCode).toBe(404);
    // Nor is a document found under another order of its own team.
    const wrongOrder = await F.owner.client.get(`${docsUrl(otherOrder)}/${doc.id}`);
    expect(wrongOrder.statusCode).toBe(404);
    expect(wrongOrder.json().code).toBe("not_found");
    expect((await F.owner.client.get(`${docsUrl()}/${doc.id}`)).statusCode).toBe(200);
  });
});

/** Polls `condition` until it holds; gives up after a generous while (never a timing assertion). */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
