import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, fieldError, fieldKey, http, withQuery } from "./client";

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
    expect(fieldError(apiError, "email")).toBe("must match format email");
    expect(fieldError(apiError, "name")).toBeUndefined();
  });

  it("reports a network failure as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("fetch failed"))));
    const error = (await http.get("/me").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.userMessage).toMatch(/reach the server/);
  });

  it("names fields and builds queries", () => {
    expect(fieldKey("params.token")).toBe("token");
    expect(fieldKey("/body/roles/0")).toBe("roles");
    expect(fieldKey("email")).toBe("email");
    expect(withQuery("/teams/t/members", { limit: 25, cursor: null, q: "" })).toBe("/teams/t/members?limit=25");
    expect(withQuery("/x", { q: "a b" })).toBe("/x?q=a+b");
  });
});
