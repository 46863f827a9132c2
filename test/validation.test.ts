// Domain-control validation over HTTP: choosing a method draws a fresh challenge and shows its
// instructions, wildcards refuse http, a check (certdesk looking on the test DNS server) is
// idempotent and needs a method, refunded orders are closed, and every step is scoped to the team
// and recorded in its audit log. What each method finds or misses: domain-validation.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { buildTeamFixture, snapshot, uniqueDomain } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";
import { auditActions, markRefunded, seedOrder } from "./helpers/orders.js";
import { publishDnsChallenge } from "./helpers/dcv.js";

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

describe.each(ENGINES)("domain validation on %s", (engine) => {
  let h: TestApp;
  let F: TeamFixture;

  beforeAll(async () => {
    h = await createTestApp(engine);
    F = await buildTeamFixture(h, "Validation");
  });
  afterAll(() => h?.close());

  const base = (orderId: string, teamId = F.teamId) => `/api/teams/${teamId}/orders/${orderId}/validation`;
  const step = (orderId: string, domain: string, teamId = F.teamId) => `${base(orderId, teamId)}/${encodeURIComponent(domain)}`;
  const newOrder = (domains: string[]) => seedOrder(h, F.teamId, F.owner.user.id, domains);

  it("choosing a method sets it with a fresh random challenge and its instructions, and may change until completion", async () => {
    const domain = uniqueDomain("choose");
    const orderId = await newOrder([domain]);
    const validator = F.members.validation.client;

    const dns = await validator.post(step(orderId, domain), { method: "dns" });
    expect(dns.statusCode).toBe(200);
    const first = dns.json().order.validation[0];
    expect(first).toMatchObject({ domain, method: "dns", completed: false, completedAt: null });
    expect(first.instructions).toMatchObject({ method: "dns", recordName: `_certdesk-challenge.${domain}`, recordType: "TXT" });
    expect(first.instructions.recordValue).toMatch(CHALLENGE);

    const again = (await validator.post(step(orderId, domain), { method: "dns" })).json().order.validation[0];
    expect(again.instructions.recordValue).toMatch(CHALLENGE);
    expect(again.instructions.recordValue).not.toBe(first.instructions.recordValue);

    const http = (await validator.post(step(orderId, domain), { method: "http" })).json().order.validation[0];
    expect(http.method).toBe("http");
    expect(http.instructions.url).toBe(`http://${domain}/.well-known/pki-validation/${http.instructions.content.slice(0, 16)}.txt`);
    expect(http.instructions.content).toMatch(CHALLENGE);

    const email = (await validator.post(step(orderId, domain), { method: "email", approverEmail: `admin@${domain}` })).json().order.validation[0];
    expect(email.instructions.approverEmails).toContain(`admin@${domain}`);

    const audit = await auditActions(h, F.teamId, orderId);
    expect(audit.map((e) => e.action)).toEqual(Array(4).fill("validation.method_chosen"));
    expect(audit.every((e) => e.actorId === F.members.validation.user.id)).toBe(true);
    expect(audit.at(-1)!.details).toMatchObject({ domain, method: "email", previousMethod: "http" });
  });

  it("GET validation shows every step with its instructions to validation.view holders only", async () => {
    const [a, b] = [uniqueDomain("list-a"), uniqueDomain("list-b")];
    const orderId = await newOrder([a, b]);
    await F.owner.client.post(step(orderId, b), { method: "email", approverEmail: `admin@${b}` });

    const seen = await F.members.validation.client.get(base(orderId));
    expect(seen.statusCode).toBe(200);
    const { order } = seen.json();
    expect(order.id).toBe(orderId);
    expect(order.validation.map((s: { domain: string }) => s.domain)).toEqual([a, b]);
    expect(order.validation[0]).toMatchObject({ method: null, completed: false, instructions: null });
    expect(order.validation[1].instructions.method).toBe("email");

    expect((await F.members.account_admin.client.get(base(orderId))).statusCode).toBe(200);
    for (const role of ["billing", "installer"] as const) {
      const refused = await F.members[role].client.get(base(orderId));
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe("forbidden");
    }
    expect((await F.outsider.client.get(base(orderId))).statusCode).toBe(404);
    expect((await h.client().get(base(orderId))).statusCode).toBe(401);
  });

  it("a wildcard domain in the path (encoded or not) is matched, and refuses http", async () => {
    const apex = uniqueDomain("wild");
    const wildcard = `*.${apex}`;
    const orderId = await newOrder([wildcard, apex]);
    const client = F.members.validation.client;

    const http = await client.post(step(orderId, wildcard), { method: "http" });
    expect(http.statusCode).toBe(400);
    expect(http.json().code).toBe("invalid_request");
    expect(http.json().errors).toEqual([{ field: "method", message: "http cannot validate a wildcard domain" }]);

    const dns = await client.post(`${base(orderId)}/%2A.${apex}`, { method: "dns" });
    expect(dns.statusCode).toBe(200);
    expect(dns.json().order.validation[0]).toMatchObject({ domain: wildcard, method: "dns" });
    // A wildcard is validated on its base name.
    expect(dns.json().order.validation[0].instructions.recordName).toBe(`_certdesk-challenge.${apex}`);

    publishDnsChallenge(h, wildcard, dns.json().order);
    const done = await client.post(`${base(orderId)}/*.${apex}/check`);
    expect(done.statusCode).toBe(200);
    expect(done.json().order.validation[0].completed).toBe(true);
    // The apex itself may use http.
    expect((await client.post(step(orderId, apex), { method: "http" })).statusCode).toBe(200);
  });

  it("the domain in the path is compared case-insensitively", async () => {
    const domain = uniqueDomain("case");
    const orderId = await newOrder([domain]);
    const response = await F.owner.client.post(step(orderId, domain.toUpperCase()), { method: "dns" });
    expect(response.statusCode).toBe(200);
    expect(response.json().order.validation[0].method).toBe("dns");
  });

  it("a domain of DNS's full length (253 characters) is matched in the path", async () => {
    const label = (c: string) => c.repeat(63);
    const domain = `${label("a")}.${label("b")}.${label("c")}.${"d".repeat(49)}.example.com`;
    expect(domain).toHaveLength(253);
    const orderId = await newOrder([domain]);
    // Too long for a _certdesk-challenge TXT name: validated by e-mail, the approval confirmed.
    const response = await F.owner.client.post(step(orderId, domain), { method: "email", approverEmail: `admin@${domain}` });
    expect(response.statusCode).toBe(200);
    expect((await h.client().post(`/api/domain-approvals/${await h.linkTokenFor(`admin@${domain}`, "domain-approvals")}`)).statusCode).toBe(200);
    expect((await F.owner.client.post(`${step(orderId, domain)}/check`)).json().order.validation[0].completed).toBe(true);
  });

  it("a check needs a method first, marks the step when certdesk finds the value, and is idempotent", async () => {
    const domain = uniqueDomain("complete");
    const orderId = await newOrder([domain]);
    const client = F.members.validation.client;

    const before = await snapshot(h.t.db);
    const early = await client.post(`${step(orderId, domain)}/check`);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe("validation_method_missing");
    expect(await snapshot(h.t.db)).toEqual(before);

    publishDnsChallenge(h, domain, (await client.post(step(orderId, domain), { method: "dns" })).json().order);
    h.clock.advance(60_000);
    const done = await client.post(`${step(orderId, domain)}/check`);
    expect(done.statusCode).toBe(200);
    const completed = done.json().order.validation[0];
    expect(completed).toMatchObject({ method: "dns", completed: true, completedAt: h.clock.now().toISOString(), validatedAt: h.clock.now().toISOString(), reused: false });
    expect(done.json().order.status).toBe("pending_validation"); // no CSR yet

    h.clock.advance(60_000);
    const twice = await client.post(`${step(orderId, domain)}/check`);
    expect(twice.statusCode).toBe(200);
    expect(twice.json().order.validation[0].completedAt).toBe(completed.completedAt);
    const actions = (await auditActions(h, F.teamId, orderId)).map((e) => e.action);
    expect(actions.filter((a) => a === "validation.completed")).toHaveLength(1);
  });

  it("after completion the method can be re-chosen only as it was", async () => {
    const domain = uniqueDomain("locked");
    const orderId = await newOrder([domain]);
    const client = F.owner.client;
    publishDnsChallenge(h, domain, (await client.post(step(orderId, domain), { method: "dns" })).json().order);
    const done = (await client.post(`${step(orderId, domain)}/check`)).json().order.validation[0];

    const change = await client.post(step(orderId, domain), { method: "email" });
    expect(change.statusCode).toBe(409);
    expect(change.json().code).toBe("validation_completed");

    const same = await client.post(step(orderId, domain), { method: "dns" });
    expect(same.statusCode).toBe(200);
    expect(same.json().order.validation[0]).toEqual(done); // same challenge, still complete
  });

  it("a domain not on the order is 404; malformed input is 400; nothing changes", async () => {
    const domain = uniqueDomain("bad");
    const orderId = await newOrder([domain]);
    const client = F.owner.client;
    const before = await snapshot(h.t.db);

    const other = await client.post(step(orderId, uniqueDomain("not-ordered")), { method: "dns" });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe("not_found");
    expect((await client.post(`${step(orderId, uniqueDomain("not-ordered"))}/check`)).statusCode).toBe(404);

    for (const [url, body] of [
      [step(orderId, domain), { method: "carrier-pigeon" }],
      [step(orderId, domain), { method: "dns", completed: true }],
      [step(orderId, domain), {}],
      [step(orderId, "bad domain!"), { method: "dns" }],
      [step(orderId, "x".repeat(300)), { method: "dns" }],
      [step("not-an-id", domain), { method: "dns" }],
    ] as const) {
      const response = await client.post(url, body);
      expect(response.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(response.json().code).toBe("invalid_request");
    }
    expect(await snapshot(h.t.db)).toEqual(before);
  });

  it("a refunded order takes no more validation: 409 order_refunded", async () => {
    const domain = uniqueDomain("refunded");
    const orderId = await newOrder([domain]);
    await F.owner.client.post(step(orderId, domain), { method: "dns" });
    await markRefunded(h, orderId);
    const before = await snapshot(h.t.db);

    for (const response of [
      await F.owner.client.post(step(orderId, domain), { method: "email", approverEmail: `admin@${domain}` }),
      await F.owner.client.post(`${step(orderId, domain)}/check`),
    ]) {
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe("order_refunded");
    }
    expect(await snapshot(h.t.db)).toEqual(before);
  });

  it("only validation.manage holders act; non-members learn nothing", async () => {
    const domain = uniqueDomain("perm");
    const orderId = await newOrder([domain]);
    const before = await snapshot(h.t.db);
    for (const role of ["billing", "installer"] as const) {
      const refused = await F.members[role].client.post(step(orderId, domain), { method: "dns" });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toContain("validation.manage");
      expect((await F.members[role].client.post(`${step(orderId, domain)}/check`)).statusCode).toBe(403);
    }
    expect((await F.outsider.client.post(step(orderId, domain), { method: "dns" })).statusCode).toBe(404);
    expect((await h.client().post(step(orderId, domain), { method: "dns" })).statusCode).toBe(401);
    expect(await snapshot(h.t.db)).toEqual(before);

    expect((await F.members.account_admin.client.post(step(orderId, domain), { method: "dns" })).statusCode).toBe(200);
  });

  it("another team's order under one's own team path is 404, and stays untouched", async () => {
    const domain = uniqueDomain("foreign");
    const orderId = await newOrder([domain]);
    const outsiderTeam = F.outsider.defaultTeamId; // the outsider owns it: every permission there
    const before = await snapshot(h.t.db);

    for (const response of [
      await F.outsider.client.get(base(orderId, outsiderTeam)),
      await F.outsider.client.post(step(orderId, domain, outsiderTeam), { method: "dns" }),
      await F.outsider.client.post(`${step(orderId, domain, outsiderTeam)}/check`),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe("not_found");
    }
    expect(await snapshot(h.t.db)).toEqual(before);
  });
});
