import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, fieldError, fieldKey, http, plainFieldMessage, waitInWords, withQuery } from "./client";

function answer(status: number, body?: unknown, type = "application/json") {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": type } });
}

afterEach(() => vi.unstubAllGlobals());

describe("api client", () => {
  it("sends the CSRF header and same-origin credentials, and parses JSON", async () => {
    const fetchMock = vi.fn(async (..._args: unknown[]) => answer(201, { team: { id: "t1" } }));
    vi.stubGlobal("fetch", fetchMock);
    const result = await http.post<{ team: { id: string } }>("/teams", { name: "Ops" });
    expect(result.team.id).toBe("t1");
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/api/teams");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect((init.headers as Record<string, string>)["X-Requested-With"]).toBe("certdesk");
    expect(init.body).toBe(JSON.stringify({ name: "Ops" }));
  });

  it("answers undefined for 204", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(null, { status: 204 })));
    await expect(http.delete("/teams/t1")).resolves.toBeUndefined();
  });

  it("turns problem+json into an ApiError with code, detail and field errors", async () => {
    const problem = {
      type: "https://certdesk.dev/errors/invalid_request",
      title: "Invalid request",
      status: 400,
      code: "invalid_request",
      detail: "The request does not match the schema.",
      errors: [{ field: "/body/email", message: "must match format email" }],
    };
    vi.stubGlobal("fetch", vi.fn(async () => answer(400, problem, "application/problem+json")));
    const error = await http.post("/auth/signup", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe("invalid_request");
    expect(apiError.userMessage).toBe("The request does not match the schema.");
    expect(fieldError(apiError, "email")).toBe("Enter an e-mail address like name@example.com.");
    expect(fieldError(apiError, "name")).toBeUndefined();
  });

  it("reports a network failure as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("fetch failed"))));
    const error = (await http.get("/me").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.userMessage).toMatch(/reach the server/);
  });

  it("uploads multipart with the CSRF header, no JSON content type, progress, and problems as ApiError", async () => {
    const sent: { method?: string; url?: string; headers: Record<string, string>; body?: unknown } = { headers: {} };
    let answer = { status: 201, body: JSON.stringify({ document: { id: "d1" } }) };
    class FakeXhr {
      status = 0;
      responseText = "";
      getResponseHeader(): string | null {
        return null;
      }
      upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      open(method: string, url: string) {
        sent.method = method;
        sent.url = url;
      }
      setRequestHeader(name: string, value: string) {
        sent.headers[name] = value;
      }
      abort() {}
      send(body: unknown) {
        sent.body = body;
        this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
        this.status = answer.status;
        this.responseText = answer.body;
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const form = new FormData();
    form.append("file", new Blob(["%PDF-1.4"]), "a.pdf");
    const progress: number[] = [];
    const result = await http.upload<{ document: { id: string } }>("/teams/t/orders/o/documents", form, { onProgress: (f) => progress.push(f) });
    expect(result.document.id).toBe("d1");
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/api/teams/t/orders/o/documents");
    expect(sent.headers["X-Requested-With"]).toBe("certdesk");
    expect(Object.keys(sent.headers).map((h) => h.toLowerCase())).not.toContain("content-type");
    expect(sent.body).toBe(form);
    expect(progress).toEqual([0.5]);

    answer = { status: 415, body: JSON.stringify({ status: 415, code: "unsupported_media_type", detail: "Only PDF, PNG or JPEG." }) };
    const error = (await http.upload("/x", form).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(415);
    expect(error.userMessage).toBe("Only PDF, PNG or JPEG.");
  });

  it("names fields and builds queries", () => {
    expect(fieldKey("params.token")).toBe("token");
    expect(fieldKey("/body/roles/0")).toBe("roles");
    expect(fieldKey("email")).toBe("email");
    expect(withQuery("/teams/t/members", { limit: 25, cursor: null, q: "" })).toBe("/teams/t/members?limit=25");
    expect(withQuery("/x", { q: "a b" })).toBe("/x?q=a+b");
  });
});

describe("field errors in plain words", () => {
  it("rewrites a schema validator's messages and keeps messages written for people", () => {
    expect(plainFieldMessage("/body/name", "must NOT have fewer than 1 characters")).toBe("Enter a name.");
    expect(plainFieldMessage("/body/password", "must NOT have fewer than 10 characters")).toBe("Use at least 10 characters.");
    expect(plainFieldMessage("/body/name", "must NOT have more than 100 characters")).toBe("Use at most 100 characters.");
    expect(plainFieldMessage("/body/email", 'must match pattern "^[^\\s@]+@[^\\s@]+$"')).toBe("Enter an e-mail address like name@example.com.");
    expect(plainFieldMessage("/body/roles", "must NOT have fewer than 1 items")).toBe("Choose at least one role.");
    expect(plainFieldMessage("/body/name", 'must match pattern "^[^\\u0000-\\u001f]*$"')).toBe("Use letters, digits and ordinary punctuation only.");
    expect(plainFieldMessage("/body/password", "This password is on the list of common passwords.")).toBe("This password is on the list of common passwords.");
  });

  it("says how long a lock-out lasts, from Retry-After", () => {
    expect(waitInWords(30)).toBe("30 seconds");
    expect(waitInWords(61)).toBe("2 minutes");
    expect(waitInWords(900)).toBe("15 minutes");
    expect(new ApiError({ status: 429, code: "rate_limited", detail: "Too many requests.", retryAfter: 900 }).userMessage).toBe("Too many attempts. Try again in 15 minutes.");
  });
});
