// Uploads that arrive broken (SECURITY 32): a body shorter than its Content-Length, a multipart body
// without its closing boundary, one cut inside a part's headers, a Content-Type without a boundary,
// a second file, a client that hangs up. Each is the client's doing: a 400 problem+json (when an
// answer can still be delivered), never a 500, nothing logged as an unhandled error, and nothing left
// in the staging directory or the database. Driven both through inject and through a real socket,
// since only a socket can end early while promising more.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { MockInstance } from "vitest";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { uniqueDomain } from "./helpers/fixtures.js";
import { seedOrder } from "./helpers/orders.js";
import { filePart, filesUnder, multipartBody, samplePdf } from "./helpers/uploads.js";

const MiB = 1024 * 1024;

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

describe.each(ENGINES)("broken uploads on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;
  let port: number;
  let url: string;
  /** Every line logged at error level: without a logger, Fastify hands each request the app's one null logger. */
  let errorLog: MockInstance;

  beforeAll(async () => {
    h = await createTestApp(engine);
    errorLog = vi.spyOn(h.app.log, "error");
    owner = await h.signUp("Upload Owner");
    const orderId = await seedOrder(h, owner.defaultTeamId, owner.user.id, [uniqueDomain("broken")]);
    url = `/api/teams/${owner.defaultTeamId}/orders/${orderId}/documents`;
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(() => h?.close());

  const stagingDir = () => path.join(h.config.dataDir, "documents", "tmp");
  const documentRows = () => h.t.db.kysely.selectFrom("documents").select("id").execute();

  /** Runs a broken upload and checks that it left nothing: no staged file, no row, no unhandled error. */
  async function leavesNothing(send: () => Promise<Answer | undefined>): Promise<Answer | undefined> {
    const rowsBefore = await documentRows();
    const loggedBefore = errorLog.mock.calls.length;
    const answer = await send();
    // The handler may still be unwinding after the socket closed: wait for the staging directory to empty.
    await until(() => filesUnder(stagingDir()).length === 0);
    expect(filesUnder(path.join(h.config.dataDir, "documents")).filter((file) => !file.startsWith("tmp"))).toEqual([]);
    expect(await documentRows()).toEqual(rowsBefore);
    // Give a handler that outlived its socket the time to reach the error handler.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errorLog.mock.calls.slice(loggedBefore)).toEqual([]);
    return answer;
  }

  function expectProblem(answer: Answer | undefined, detail: RegExp) {
    expect(answer?.status).toBe(400);
    expect(answer?.contentType).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer!.body);
    expect(problem).toMatchObject({ status: 400, code: "invalid_request", type: "https://certdesk.dev/errors/invalid_request" });
    expect(problem.detail).toMatch(detail);
  }

  async function inject(payload: Buffer, contentType: string): Promise<Answer> {
    const response = await h.app.inject({ method: "POST", url, payload, headers: { "content-type": contentType, "x-requested-with": "certdesk", cookie: owner.client.cookie! } });
    return { status: response.statusCode, contentType: String(response.headers["content-type"]), body: response.body };
  }

  /**
   * Writes a request by hand on a raw socket: the head (with the given Content-Length), then `body`,
   * then: "wait" for the answer, "fin" (half-close, as a client that has nothing more to send), or
   * "hang up" (destroy the socket once the server is staging the file). Resolves with the answer, if
   * one came back, when the connection is closed.
   */
  function overSocket(body: Buffer, contentType: string, contentLength: number, then: "wait" | "fin" | "hang up"): Promise<Answer | undefined> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      const received: Buffer[] = [];
      socket.on("data", (chunk) => received.push(chunk));
      socket.on("error", (error) => (then === "hang up" ? undefined : reject(error)));
      socket.on("close", () => {
        const text = Buffer.concat(received).toString("latin1");
        const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
        if (!match) return resolve(undefined);
        const type = /^content-type:\s*([^\r\n]*)/im.exec(match[2]!)?.[1] ?? "";
        resolve({ status: Number(match[1]), contentType: type, body: match[3]! });
      });
      socket.once("connect", () => {
        socket.write(
          `POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: ${contentType}\r\n` +
            `Content-Length: ${contentLength}\r\nX-Requested-With: certdesk\r\nCookie: ${owner.client.cookie}\r\n\r\n`,
        );
        socket.write(body);
        if (then === "fin") socket.end();
        if (then === "hang up") until(() => filesUnder(stagingDir()).length > 0).then(() => socket.destroy(), reject);
      });
    });
  }

  it("a multipart body without its closing boundary: 400 invalid_request, through inject and a socket", async () => {
    const { payload, contentType } = multipartBody(filePart("cut.pdf", samplePdf("cut")));
    const withoutEnd = payload.subarray(0, payload.lastIndexOf("\r\n--"));
    expectProblem(await leavesNothing(() => inject(withoutEnd, contentType)), /ended before it was complete/);
    expectProblem(await leavesNothing(() => overSocket(withoutEnd, contentType, withoutEnd.length, "wait")), /ended before it was complete/);
    // Cut inside the file's part headers, before any of the file arrived.
    const inHeaders = payload.subarray(0, payload.indexOf("\r\n\r\n") - 5);
    expectProblem(await leavesNothing(() => inject(inHeaders, contentType)), /ended before it was complete/);
  });

  it("a body shorter than its Content-Length, then the client's FIN: 400, nothing staged, nothing logged as a fault", async () => {
    // 2 MiB of a real PDF's file part arrive (so the server is staging it), 6 MiB more were promised.
    const { payload, contentType } = multipartBody(filePart("short.pdf", Buffer.concat([samplePdf("short"), Buffer.alloc(8 * MiB, 0x20)])));
    const sent = payload.subarray(0, 2 * MiB);
    const answer = await leavesNothing(() => overSocket(sent, contentType, payload.length, "fin"));
    // Node's HTTP parser sees the early end and Fastify's client-error handler answers 400 on the
    // socket (the route's own answer can no longer be sent; it must not be a logged 500 either).
    expect(answer?.status).toBe(400);
    // In the problem format like every other refusal, not Node's or Fastify's own JSON.
    expect(answer?.contentType).toBe("application/problem+json");
    expect(JSON.parse(answer!.body)).toMatchObject({ status: 400, code: "invalid_request" });
    // The same short body whose promised length is only a few bytes more.
    const small = multipartBody(filePart("small.pdf", samplePdf("small")));
    const smallAnswer = await leavesNothing(() => overSocket(small.payload.subarray(0, small.payload.length - 10), small.contentType, small.payload.length, "fin"));
    expect(smallAnswer?.status).toBe(400);
  });

  it("a client that hangs up mid-upload: nothing staged, nothing logged as a fault", async () => {
    const { payload, contentType } = multipartBody(filePart("gone.pdf", Buffer.concat([samplePdf("gone"), Buffer.alloc(8 * MiB, 0x20)])));
    await leavesNothing(() => overSocket(payload.subarray(0, 2 * MiB), contentType, payload.length, "hang up"));
  });

  it("a multipart Content-Type without a boundary, no file field, two files: 400 invalid_request", async () => {
    const { payload } = multipartBody(filePart("a.pdf", samplePdf()));
    expectProblem(await leavesNothing(() => inject(payload, "multipart/form-data")), /no boundary/);

    const noFile = multipartBody([{ name: "note", content: "no file here" }]);
    expectProblem(await leavesNothing(() => inject(noFile.payload, noFile.contentType)), /field "file"/);

    const two = multipartBody([...filePart("a.pdf", samplePdf("one")), ...filePart("b.pdf", samplePdf("two"))]);
    const answer = await leavesNothing(() => inject(two.payload, two.contentType));
    expectProblem(answer, /field "file"/);
    expect(JSON.parse(answer!.body).errors).toEqual([{ field: "file", message: "is required (exactly one file)" }]);
  });

  it("after all that, a whole upload still works", async () => {
    const { payload, contentType } = multipartBody(filePart("whole.pdf", samplePdf("whole")));
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: url,
        headers: { "content-type": contentType, "content-length": payload.length, "x-requested-with": "certdesk", cookie: owner.client.cookie! },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body }));
      });
      request.on("error", reject);
      request.end(payload);
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).document.filename).toBe("whole.pdf");
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
