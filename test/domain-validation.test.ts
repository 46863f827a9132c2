// Domain validation performed by certdesk, through the API (SPEC 14–16): each method succeeding
// and failing as certdesk finds it on a real DNS server and a real HTTP server on loopback; the
// approval e-mail confirmed once; names refused at placement; the team's ledger reused — by name,
// subdomain and wildcard as the BRs allow, never by another team — and lapsing by the dated period
// table; CAA checked by the call that would issue.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { makeCsr } from "./helpers/csr.js";
import { publishDnsChallenge, stepUrl, validateByDns } from "./helpers/dcv.js";
import { ENGINES } from "./helpers/engines.js";
import { addBillingProfile, buildTeamFixture, uniqueDomain } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";
import { auditActions, seedOrder } from "./helpers/orders.js";
import { expectProblem } from "./helpers/problems.js";

/** Files the test web server serves, by host and path. */
const files = new Map<string, { status: number; body: string }>();
let web: http.Server;
let webPort: number;

beforeAll(async () => {
  web = http.createServer((req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const file = files.get(`${host}${req.url}`);
    res.writeHead(file?.status ?? 404).end(file?.body ?? "no such file");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webPort = (web.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => web?.close(resolve)));

describe.each(ENGINES)("domain validation by certdesk on %s", (engine) => {
  let h: TestApp;
  let F: TeamFixture;
  let profileId: string;

  beforeAll(async () => {
    // Sessions long enough to outlive the clock moved to 2029 and back (the reuse-period tests).
    h = await createTestApp(engine, { DCV_HTTP_PORT: String(webPort), SESSION_IDLE_MINUTES: "5256000", SESSION_ABSOLUTE_HOURS: "87600" });
    F = await buildTeamFixture(h, "DCV");
    profileId = await addBillingProfile(F.owner.client, F.teamId);
  });
  afterAll(() => h?.close());

  const validator = () => F.members.validation.client;
  const step = (orderId: string, domain: string, teamId = F.teamId) => stepUrl(teamId, orderId, domain);
  const seeded = (domains: string[]) => seedOrder(h, F.teamId, F.owner.user.id, domains);
  async function place(domains: string[], client = F.owner.client, teamId = F.teamId, billing = profileId) {
    return client.post(`/api/teams/${teamId}/orders`, { productId: "dv-1y", domains, billingProfileId: billing });
  }
  /** A placed order's validation steps, by domain. */
  async function placed(domains: string[]) {
    const response = await place(domains);
    expect(response.statusCode, response.body).toBe(201);
    const order = response.json().order;
    return { id: order.id as string, steps: Object.fromEntries(order.validation.map((v: { domain: string }) => [v.domain, v])) };
  }

  describe("http (BR 3.2.2.4.18)", () => {
    it("the file at the instructions' URL holding the challenge validates the step", async () => {
      const domain = uniqueDomain("http-ok");
      const orderId = await seeded([domain]);
      h.dns.set(domain, "A", ["127.0.0.1"]);
      const chosen = (await validator().post(step(orderId, domain), { method: "http" })).json().order.validation[0];
      const url = new URL(chosen.instructions.url);
      files.set(`${url.hostname}${url.pathname}`, { status: 200, body: chosen.instructions.content });

      const checked = await validator().post(`${step(orderId, domain)}/check`);
      expect(checked.statusCode, checked.body).toBe(200);
      expect(checked.json().order.validation[0]).toMatchObject({ method: "http", completed: true, reused: false, validatedAt: h.clock.now().toISOString() });
      expect((await auditActions(h, F.teamId, orderId)).map((a) => a.action)).toContain("validation.completed");
    });

    it("a missing file, another body and an unresolvable name are 422 validation_failed saying what was found", async () => {
      const domain = uniqueDomain("http-fail");
      const orderId = await seeded([domain]);
      h.dns.set(domain, "A", ["127.0.0.1"]);
      const chosen = (await validator().post(step(orderId, domain), { method: "http" })).json().order.validation[0];
      const url = new URL(chosen.instructions.url);

      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toMatch(/HTTP 404/);
      files.set(`${url.hostname}${url.pathname}`, { status: 200, body: "an old challenge" });
      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toContain('"an old challenge"');
      h.dns.remove(domain);
      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toMatch(/no A or AAAA/);
      const order = (await validator().get(`/api/teams/${F.teamId}/orders/${orderId}`)).json().order;
      expect(order.validation[0]).toMatchObject({ completed: false, validatedAt: null });
    });
  });

  describe("dns (BR 3.2.2.4.7)", () => {
    it("the TXT record holding the challenge validates; another value or none is 422 naming it", async () => {
      const domain = uniqueDomain("dns");
      const orderId = await seeded([domain]);
      const chosen = await validator().post(step(orderId, domain), { method: "dns" });
      const recordName = chosen.json().order.validation[0].instructions.recordName;
      expect(recordName).toBe(`_certdesk-challenge.${domain}`);

      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toMatch(/NXDOMAIN/);
      h.dns.set(recordName, "TXT", ["not-the-challenge"]);
      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toContain('"not-the-challenge"');
      publishDnsChallenge(h, domain, chosen.json().order);
      const ok = await validator().post(`${step(orderId, domain)}/check`);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().order.validation[0]).toMatchObject({ method: "dns", completed: true });
      // Checked again: still validated, nothing recorded twice.
      expect((await validator().post(`${step(orderId, domain)}/check`)).statusCode).toBe(200);
      expect((await auditActions(h, F.teamId, orderId)).filter((a) => a.action === "validation.completed")).toHaveLength(1);
    });

    it("a check needs a method first (409), and the old /complete route is gone", async () => {
      const domain = uniqueDomain("nomethod");
      const orderId = await seeded([domain]);
      expectProblem(await validator().post(`${step(orderId, domain)}/check`), 409, "validation_method_missing");
      await validator().post(step(orderId, domain), { method: "dns" });
      expect((await validator().post(`${step(orderId, domain)}/complete`)).statusCode).toBe(404);
    });
  });

  describe("email (BR 3.2.2.4.4)", () => {
    it("needs one of the five constructed addresses", async () => {
      const domain = uniqueDomain("mail-choice");
      const orderId = await seeded([domain]);
      expect(expectProblem(await validator().post(step(orderId, domain), { method: "email" }), 400, "invalid_request").errors?.[0]?.field).toBe("approverEmail");
      expectProblem(await validator().post(step(orderId, domain), { method: "email", approverEmail: `someone@${domain}` }), 400, "invalid_request");
      expectProblem(await validator().post(step(orderId, domain), { method: "email", approverEmail: "admin@elsewhere.example" }), 400, "invalid_request");
      expectProblem(await validator().post(step(orderId, domain), { method: "dns", approverEmail: `admin@${domain}` }), 400, "invalid_request");
    });

    it("the approval e-mail's link, confirmed once, validates the step; again it is 410 approval_used", async () => {
      const domain = uniqueDomain("mail");
      const orderId = await seeded([domain]);
      const approver = `hostmaster@${domain}`;
      const chosen = await validator().post(step(orderId, domain), { method: "email", approverEmail: approver });
      expect(chosen.statusCode, chosen.body).toBe(200);
      const email = await h.lastEmailTo(approver);
      expect(email?.subject).toContain(domain);
      expect(email?.text).toContain(`http://certdesk.test/domain-approvals/`);
      const token = await h.linkTokenFor(approver, "domain-approvals");
      const stored = await h.t.db.kysely.selectFrom("domainApprovals").select("tokenHash").where("orderId", "=", orderId).executeTakeFirstOrThrow();
      expect(stored.tokenHash).not.toBe(token);

      expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toContain(`to ${approver} has not been confirmed`);
      const confirmed = await h.client().post(`/api/domain-approvals/${token}`);
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toEqual({ domain });
      expectProblem(await h.client().post(`/api/domain-approvals/${token}`), 410, "approval_used");
      const checked = await validator().post(`${step(orderId, domain)}/check`);
      expect(checked.json().order.validation[0]).toMatchObject({ method: "email", completed: true });
      const audit = (await auditActions(h, F.teamId, orderId)).find((a) => a.action === "validation.completed");
      expect(audit).toMatchObject({ actorId: null, details: { domain, method: "email", approverEmail: approver } });
    });

    it("a link expires after 30 days, and a new choice retires the old link: 410 approval_expired", async () => {
      const domain = uniqueDomain("mail-expiry");
      const orderId = await seeded([domain]);
      await validator().post(step(orderId, domain), { method: "email", approverEmail: `admin@${domain}` });
      const first = await h.linkTokenFor(`admin@${domain}`, "domain-approvals");
      await validator().post(step(orderId, domain), { method: "email", approverEmail: `webmaster@${domain}` });
      expectProblem(await h.client().post(`/api/domain-approvals/${first}`), 410, "approval_expired");
      const second = await h.linkTokenFor(`webmaster@${domain}`, "domain-approvals");
      h.clock.advance(30 * 86_400_000 + 1000);
      try {
        expect(expectProblem(await validator().post(`${step(orderId, domain)}/check`), 422, "validation_failed").detail).toMatch(/expired/);
        expectProblem(await h.client().post(`/api/domain-approvals/${second}`), 410, "approval_expired");
      } finally {
        h.clock.advance(-(30 * 86_400_000 + 1000));
      }
      expect((await h.client().post(`/api/domain-approvals/${"x".repeat(43)}`)).statusCode).toBe(404);
    });
  });

  describe("names a CA may not certify (SPEC 15)", () => {
    it.each([["co.uk"], ["*.co.uk"], ["github.io"], ["*.github.io"], ["localhost"], ["printer.corp"], ["x.test"], ["intranet"], ["192.0.2.7"]])(
      "%s is refused at placement with 422 name_not_allowed, nothing charged",
      async (name) => {
        const before = await h.t.db.kysely.selectFrom("orders").select("id").where("teamId", "=", F.teamId).execute();
        const problem = expectProblem(await place([uniqueDomain("fine"), name]), 422, "name_not_allowed");
        expect(problem.errors?.[0]?.field).toBe("domains.1");
        const after = await h.t.db.kysely.selectFrom("orders").select("id").where("teamId", "=", F.teamId).execute();
        expect(after).toHaveLength(before.length);
      },
    );
  });

  describe("the team's ledger (SPEC 16)", () => {
    it("dns validation covers the name, its subdomains and its wildcard; listed with reusableUntil", async () => {
      const domain = uniqueDomain("ledger-dns");
      const first = await placed([domain]);
      expect((await validateByDns(h, validator(), F.teamId, first.id, domain)).statusCode).toBe(200);

      const later = await placed([domain, `www.${domain}`, `*.${domain}`, `*.a.${domain}`]);
      for (const name of [domain, `www.${domain}`, `*.${domain}`, `*.a.${domain}`]) {
        expect(later.steps[name]).toMatchObject({ method: "dns", completed: true, reused: true });
      }
      const ledger = (await F.members.validation.client.get(`/api/teams/${F.teamId}/domains`)).json();
      const entry = ledger.items.find((i: { domain: string }) => i.domain === domain);
      expect(entry).toMatchObject({ method: "dns", validatedAt: expect.any(String), reusableUntil: expect.any(String) });
      expect(new Date(entry.reusableUntil).getTime()).toBeGreaterThan(h.clock.now().getTime());
    });

    it("http validation covers exactly the name: not its subdomains nor its wildcard", async () => {
      const domain = uniqueDomain("ledger-http");
      const orderId = await seeded([domain]);
      h.dns.set(domain, "A", ["127.0.0.1"]);
      const chosen = (await validator().post(step(orderId, domain), { method: "http" })).json().order.validation[0];
      const url = new URL(chosen.instructions.url);
      files.set(`${url.hostname}${url.pathname}`, { status: 200, body: chosen.instructions.content });
      expect((await validator().post(`${step(orderId, domain)}/check`)).statusCode).toBe(200);

      const later = await placed([domain, `www.${domain}`, `*.${domain}`]);
      expect(later.steps[domain]).toMatchObject({ method: "http", completed: true, reused: true });
      expect(later.steps[`www.${domain}`]).toMatchObject({ method: null, completed: false, reused: false });
      expect(later.steps[`*.${domain}`]).toMatchObject({ completed: false, reused: false });
    });

    it("another team's ledger is never used nor shown", async () => {
      const domain = uniqueDomain("ledger-team");
      const first = await placed([domain]);
      expect((await validateByDns(h, validator(), F.teamId, first.id, domain)).statusCode).toBe(200);
      const other = F.outsider;
      const otherProfile = await addBillingProfile(other.client, other.defaultTeamId);
      const response = await place([domain], other.client, other.defaultTeamId, otherProfile);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().order.validation[0]).toMatchObject({ completed: false, reused: false });
      const theirs = (await other.client.get(`/api/teams/${other.defaultTeamId}/domains`)).json();
      expect(theirs.items.map((i: { domain: string }) => i.domain)).not.toContain(domain);
      expect((await other.client.get(`/api/teams/${F.teamId}/domains`)).statusCode).toBe(404);
    });

    /** Validates `domain` by dns at `validatedAt`, then reports whether orders placed at each date reuse it. */
    async function reusedAt(validatedAt: string, dates: string[]): Promise<boolean[]> {
      const original = h.clock.now();
      try {
        h.clock.set(new Date(validatedAt));
        const domain = uniqueDomain("lapse");
        const first = await placed([domain]);
        expect((await validateByDns(h, validator(), F.teamId, first.id, domain)).statusCode).toBe(200);
        const results: boolean[] = [];
        for (const date of dates) {
          h.clock.set(new Date(date));
          results.push((await placed([domain])).steps[domain].reused as boolean);
        }
        return results;
      } finally {
        h.clock.set(original);
      }
    }

    it("around 2027-03-15: 200 days before it; a validation of 2026-12-01 lapses on that day", async () => {
      expect(await reusedAt("2026-12-01T00:00:00.000Z", ["2027-03-14T23:59:59.000Z", "2027-03-15T00:00:00.000Z"])).toEqual([true, false]);
      expect(await reusedAt("2026-04-01T00:00:00.000Z", ["2026-10-17T23:00:00.000Z", "2026-10-18T00:00:00.000Z"])).toEqual([true, false]);
      expect(await reusedAt("2027-03-20T00:00:00.000Z", ["2027-06-27T00:00:00.000Z", "2027-06-28T00:00:00.000Z"])).toEqual([true, false]);
    });

    it("around 2029-03-15: 100 days before it, 10 days from it", async () => {
      expect(await reusedAt("2029-01-01T00:00:00.000Z", ["2029-03-14T12:00:00.000Z", "2029-03-15T00:00:00.000Z"])).toEqual([true, false]);
      expect(await reusedAt("2029-03-16T00:00:00.000Z", ["2029-03-25T23:00:00.000Z", "2029-03-26T00:00:00.000Z"])).toEqual([true, false]);
    });

    it("a validation lapsed before issuance opens its step again instead of issuing", async () => {
      const original = h.clock.now();
      try {
        h.clock.set(new Date("2026-12-01T00:00:00.000Z"));
        const domain = uniqueDomain("lapse-issue");
        const orderId = await seeded([domain]);
        expect((await validateByDns(h, validator(), F.teamId, orderId, domain)).statusCode).toBe(200);
        h.clock.set(new Date("2027-03-15T00:00:00.000Z"));
        const { csrPem } = makeCsr({ cn: domain, san: [domain] });
        const submitted = await F.members.installer.client.post(`/api/teams/${F.teamId}/orders/${orderId}/csr`, { csr: csrPem });
        expect(submitted.statusCode, submitted.body).toBe(200);
        expect(submitted.json().order).toMatchObject({ status: "pending_validation", certificate: null });
        expect(submitted.json().order.validation[0]).toMatchObject({ completed: false, validatedAt: null });
        expect((await auditActions(h, F.teamId, orderId)).map((a) => a.action)).toContain("validation.lapsed");
        const again = await validateByDns(h, validator(), F.teamId, orderId, domain);
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json().order.status).toBe("issued");
      } finally {
        h.clock.set(original);
      }
    });

    it("approval e-mails to one address are limited per hour, across teams: 429", async () => {
      const domain = uniqueDomain("mail-flood");
      const orderId = await seeded([domain]);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await validator().post(step(orderId, domain), { method: "email", approverEmail: `postmaster@${domain}` })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect((await validator().post(step(orderId, domain), { method: "email", approverEmail: `admin@${domain}` })).statusCode).toBe(200);
    });

    it("the ledger is paginated and needs validation.view", async () => {
      const first = await F.owner.client.get(`/api/teams/${F.teamId}/domains?limit=1`);
      expect(first.statusCode).toBe(200);
      expect(first.json().items).toHaveLength(1);
      const next = await F.owner.client.get(`/api/teams/${F.teamId}/domains?limit=1&cursor=${first.json().nextCursor}`);
      expect(next.json().items[0].domain > first.json().items[0].domain).toBe(true);
      expectProblem(await F.members.billing.client.get(`/api/teams/${F.teamId}/domains`), 403, "forbidden");
    });
  });

  describe("CAA (RFC 8659) by the call that would issue", () => {
    it("the last check issues when CAA names certdesk; refuses 422 caa_forbidden, audited, nothing issued, when it does not", async () => {
      const domain = uniqueDomain("caa");
      const orderId = await seeded([domain]);
      const { csrPem } = makeCsr({ cn: domain, san: [domain] });
      expect((await F.members.installer.client.post(`/api/teams/${F.teamId}/orders/${orderId}/csr`, { csr: csrPem })).statusCode).toBe(200);
      h.dns.set(domain, "CAA", [{ tag: "issue", value: "other-ca.example" }]);
      expect(expectProblem(await validateByDns(h, validator(), F.teamId, orderId, domain), 422, "caa_forbidden").detail).toContain("other-ca.example");
      let order = (await validator().get(`/api/teams/${F.teamId}/orders/${orderId}`)).json().order;
      expect(order).toMatchObject({ status: "pending_validation", certificate: null });
      expect(order.validation[0].completed).toBe(true); // control was proven; CAA refused issuance
      expect((await auditActions(h, F.teamId, orderId)).map((a) => a.action)).toContain("certificate.caa_refused");

      h.dns.set(domain, "CAA", [{ tag: "issue", value: "certdesk.dev" }]);
      const again = await validator().post(`${step(orderId, domain)}/check`);
      expect(again.statusCode, again.body).toBe(200);
      order = again.json().order;
      expect(order.status).toBe("issued");
    });

    it("a CSR completing the order asks CAA too, climbing to the parent", async () => {
      const parent = uniqueDomain("caa-parent");
      const domain = `shop.${parent}`;
      const orderId = await seeded([domain]);
      expect((await validateByDns(h, validator(), F.teamId, orderId, domain)).statusCode).toBe(200);
      h.dns.set(parent, "CAA", [{ flags: 128, tag: "tbs", value: "unknown" }]);
      const { csrPem } = makeCsr({ cn: domain, san: [domain] });
      const refused = await F.members.installer.client.post(`/api/teams/${F.teamId}/orders/${orderId}/csr`, { csr: csrPem });
      expect(expectProblem(refused, 422, "caa_forbidden").detail).toContain('critical tag "tbs"');
      expect((await validator().get(`/api/teams/${F.teamId}/orders/${orderId}`)).json().order.status).toBe("pending_validation");
      h.dns.set(parent, "CAA", [{ tag: "issue", value: "certdesk.dev" }]);
      const issued = await F.members.installer.client.post(`/api/teams/${F.teamId}/orders/${orderId}/csr`, { csr: csrPem });
      expect(issued.statusCode, issued.body).toBe(200);
      expect(issued.json().order.status).toBe("issued");
    });
  });
});
