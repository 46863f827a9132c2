// Catalogue, billing profiles, orders and refunds through the HTTP API, on both engines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY } from "../src/server/clock.js";
import { createTestApp } from "./helpers/app.js";
import { PASSWORD } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

const PROFILE = { name: "Acme GmbH", country: "DE", cardBrand: "visa", cardLast4: "4242" };

describe.each(ENGINES)("orders and billing on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;
  let base: string;
  let profileId: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    owner = await h.signUp("Olga Owner");
    base = `/api/teams/${owner.defaultTeamId}`;
    const created = await owner.client.post(`${base}/billing-profiles`, PROFILE);
    expect(created.statusCode).toBe(201);
    profileId = created.json().billingProfile.id;
  });
  afterAll(() => h.close());

  async function order(domains = ["example.com", "www.example.com"], productId = "dv-1y") {
    return owner.client.post(`${base}/orders`, { productId, domains, billingProfileId: profileId });
  }

  it("lists the catalogue without a session", async () => {
    const response = await h.client().get("/api/products");
    expect(response.statusCode).toBe(200);
    const items = response.json().items as { id: string; type: string; years: number; priceMinor: number; currency: string }[];
    expect(items.map((p) => p.id).sort()).toEqual(["dv-1y", "dv-2y", "ev-1y", "ev-2y", "ov-1y", "ov-2y"]);
    for (const p of items) expect(Number.isInteger(p.priceMinor) && p.priceMinor > 0).toBe(true);
  });

  it("keeps billing profiles to brand and last four digits", async () => {
    const withNumber = await owner.client.post(`${base}/billing-profiles`, { ...PROFILE, name: "Card 4111 1111 1111 1111" });
    expect(withNumber.statusCode).toBe(400);
    expect(withNumber.json().errors).toEqual([expect.objectContaining({ field: "name" })]);
    expect(JSON.stringify(withNumber.json())).not.toContain("4111 1111");
    const fullNumber = await owner.client.post(`${base}/billing-profiles`, { ...PROFILE, cardLast4: "4111111111111111" });
    expect(fullNumber.statusCode).toBe(400);
    const cardNumberField = await owner.client.post(`${base}/billing-profiles`, { ...PROFILE, cardNumber: "4111111111111111" });
    expect(cardNumberField.statusCode).toBe(400);
    const badCountry = await owner.client.post(`${base}/billing-profiles`, { ...PROFILE, country: "XX" });
    expect(badCountry.json()).toMatchObject({ status: 400, code: "invalid_request" });
    const stored = await h.t.db.kysely.selectFrom("billingProfiles").selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain("4111");

    const edited = await owner.client.patch(`${base}/billing-profiles/${profileId}`, { cardLast4: "1881" });
    expect(edited.json().billingProfile).toMatchObject({ cardLast4: "1881", country: "DE" });
    await owner.client.patch(`${base}/billing-profiles/${profileId}`, { cardLast4: "4242" });
  });

  it("places an order, charging the profile in the same transaction", async () => {
    const response = await order(["Example.com", "www.example.com"]);
    expect(response.statusCode).toBe(201);
    const placed = response.json().order;
    expect(placed).toMatchObject({
      productId: "dv-1y",
      domains: ["example.com", "www.example.com"],
      status: "pending_validation",
      priceMinor: 4900,
      currency: "USD",
      issuedAt: null,
      validation: [
        { domain: "example.com", method: null, completed: false },
        { domain: "www.example.com", method: null, completed: false },
      ],
    });
    const ledger = (await owner.client.get(`${base}/transactions?orderId=${placed.id}`)).json().items;
    expect(ledger).toEqual([
      expect.objectContaining({ kind: "charge", amountMinor: 4900, currency: "USD", orderId: placed.id, billingProfileId: profileId, actor: { type: "user", id: owner.user.id, email: owner.user.email } }),
    ]);
    const audit = (await owner.client.get(`${base}/audit`)).json().items;
    expect(audit[0]).toMatchObject({ action: "order.placed", target: placed.id, actor: { id: owner.user.id } });
  });

  it("refuses bad domains and foreign billing profiles, writing nothing", async () => {
    const before = await h.t.db.kysely.selectFrom("orders").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    for (const domains of [["not a domain"], ["example.com", "EXAMPLE.com"], [], Array.from({ length: 101 }, (_, i) => `d${i}.example.com`), ["-bad.example.com"]]) {
      const response = await order(domains);
      expect(response.statusCode, JSON.stringify(domains).slice(0, 60)).toBe(400);
      expect(response.json().code).toBe("invalid_request");
    }
    expect((await order(["*.example.com"], "ev-1y")).statusCode).toBe(400);
    expect((await order(["*.example.com"], "dv-1y")).statusCode).toBe(201);
    expect((await order(["example.com"], "nope")).statusCode).toBe(400);

    const other = await h.signUp("Otto Other");
    const foreign = await other.client.post(`/api/teams/${other.defaultTeamId}/billing-profiles`, PROFILE);
    const response = await owner.client.post(`${base}/orders`, { productId: "dv-1y", domains: ["example.org"], billingProfileId: foreign.json().billingProfile.id });
    expect(response.statusCode).toBe(404);
    const after = await h.t.db.kysely.selectFrom("orders").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1); // only the valid wildcard order
  });

  it("refunds within 30 days, once", async () => {
    const placed = (await order(["refund.example.com"])).json().order;
    const refunded = await owner.client.post(`${base}/orders/${placed.id}/refund`);
    expect(refunded.statusCode).toBe(200);
    expect(refunded.json().order).toMatchObject({ status: "refunded" });
    const again = await owner.client.post(`${base}/orders/${placed.id}/refund`);
    expect(again.json()).toMatchObject({ status: 409, code: "already_refunded" });
    const ledger = (await owner.client.get(`${base}/transactions?orderId=${placed.id}`)).json().items;
    expect(ledger.map((t: { kind: string }) => t.kind)).toEqual(["refund", "charge"]);
  });

  it("closes the refund window after 30 days", async () => {
    const placed = (await order(["late.example.com"])).json().order;
    h.clock.advance(30 * DAY + 1000);
    // A month later the old session is long gone: sign in again.
    expect((await owner.client.post("/api/auth/login", { email: owner.user.email, password: PASSWORD })).statusCode).toBe(200);
    const late = await owner.client.post(`${base}/orders/${placed.id}/refund`);
    expect(late.json()).toMatchObject({ status: 409, code: "refund_window_closed" });
    expect((await owner.client.get(`${base}/orders/${placed.id}`)).json().order.status).toBe("pending_validation");
  });

  it("lets exactly one of many simultaneous refunds through", async () => {
    const placed = (await order(["race.example.com"])).json().order;
    const answers = await Promise.all(Array.from({ length: 8 }, () => owner.client.post(`${base}/orders/${placed.id}/refund`)));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    const refunds = await h.t.db.kysely.selectFrom("transactions").selectAll().where("orderId", "=", placed.id).where("kind", "=", "refund").execute();
    expect(refunds).toHaveLength(1);
  });

  it("hides a removed billing profile but keeps its charges", async () => {
    const spare = (await owner.client.post(`${base}/billing-profiles`, { ...PROFILE, name: "Spare" })).json().billingProfile;
    const placed = (await owner.client.post(`${base}/orders`, { productId: "ov-1y", domains: ["spare.example.com"], billingProfileId: spare.id })).json().order;
    expect((await owner.client.delete(`${base}/billing-profiles/${spare.id}`)).statusCode).toBe(204);
    const listed = (await owner.client.get(`${base}/billing-profiles`)).json().items.map((p: { id: string }) => p.id);
    expect(listed).not.toContain(spare.id);
    const ledger = (await owner.client.get(`${base}/transactions?orderId=${placed.id}`)).json().items;
    expect(ledger[0]).toMatchObject({ billingProfileId: spare.id, amountMinor: 14900 });
    const reuse = await owner.client.post(`${base}/orders`, { productId: "dv-1y", domains: ["x.example.com"], billingProfileId: spare.id });
    expect(reuse.statusCode).toBe(404);
  });

  it("pages through orders newest first", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await owner.client.get(`${base}/orders?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode).toBe(200);
      const body = response.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((o) => o.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    const total = await h.t.db.kysely.selectFrom("orders").select((eb) => eb.fn.countAll().as("n")).where("teamId", "=", owner.defaultTeamId).executeTakeFirstOrThrow();
    expect(seen).toHaveLength(Number(total.n));
  });
});
