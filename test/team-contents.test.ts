// Two of issue 14's smaller things on both engines: the delete-team dialog's counts of what goes
// with the team (GET …/deletion-preview, for whoever may delete it), and the billing profile's
// address (street, city, postal code beside the country), stored, listed, edited, checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { createAcmeCredential } from "./helpers/acme-credentials.js";
import { ENGINES } from "./helpers/engines.js";
import { addAccountObjects, createTeam, inviteAndAccept, uploadDocument } from "./helpers/fixtures.js";

describe.each(ENGINES)("team contents and billing addresses on %s", (engine) => {
  let h: TestApp;
  let ada: SignedIn;
  let bob: SignedIn;
  let teamId: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    ada = await h.signUp("Ada Contents");
    bob = await h.signUp("Bob Contents");
    teamId = await createTeam(ada.client, "Contents");
    await inviteAndAccept(h, ada.client, teamId, bob, ["billing"]);
  });
  afterAll(() => h.close());

  it("counts what deleting the team takes with it, and only this team's", async () => {
    const empty = await ada.client.get(`/api/teams/${teamId}/deletion-preview`);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({ orders: 0, certificates: 0, documents: 0, billingProfiles: 0, apiKeys: 0, acmeCredentials: 0, members: 2 });

    const first = await addAccountObjects(ada.client, teamId, "contents-a");
    await uploadDocument(ada.client, teamId, first.orderId);
    await addAccountObjects(ada.client, teamId, "contents-b");
    const other = await createTeam(ada.client, "Contents elsewhere");
    await addAccountObjects(ada.client, other, "contents-c");
    const certificate = await h.t.db.kysely
      .insertInto("certificates")
      .values({
        id: `cert-${engine}-contents`,
        orderId: first.orderId,
        serialNumber: `serial-${engine}-contents`,
        certificatePem: "pem",
        chainPem: "chain",
        notBefore: h.clock.now().toISOString(),
        notAfter: h.clock.now().toISOString(),
        createdAt: h.clock.now().toISOString(),
      })
      .execute();
    expect(certificate).toBeDefined();
    await createAcmeCredential(ada.client, teamId, first.billingProfileId, "counted");
    const revoked = await createAcmeCredential(ada.client, teamId, first.billingProfileId, "revoked, not counted");
    await ada.client.delete(`/api/teams/${teamId}/acme-credentials/${revoked.id}`);

    const counted = (await ada.client.get(`/api/teams/${teamId}/deletion-preview`)).json();
    expect(counted).toEqual({ orders: 2, certificates: 1, documents: 3, billingProfiles: 2, apiKeys: 0, acmeCredentials: 1, members: 2 });
  });

  it("is asked only by whoever may delete the team", async () => {
    const denied = await bob.client.get(`/api/teams/${teamId}/deletion-preview`);
    expect([denied.statusCode, denied.json().code]).toEqual([403, "forbidden"]);
    const outsider = await h.signUp("Eve Contents");
    expect((await outsider.client.get(`/api/teams/${teamId}/deletion-preview`)).statusCode).toBe(404);
  });

  it("keeps a billing profile's street, city and postal code; old-style bodies still work", async () => {
    const created = await bob.client.post(`/api/teams/${teamId}/billing-profiles`, {
      name: "Head office",
      country: "DE",
      cardBrand: "visa",
      cardLast4: "4242",
      street: "  Hauptstraße 5 ",
      city: "Berlin",
      postalCode: "10115",
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().billingProfile).toMatchObject({ street: "Hauptstraße 5", city: "Berlin", postalCode: "10115", country: "DE" });
    const id = created.json().billingProfile.id;

    const edited = await bob.client.patch(`/api/teams/${teamId}/billing-profiles/${id}`, { city: "Potsdam", postalCode: "14467" });
    expect(edited.statusCode, edited.body).toBe(200);
    const listed = (await bob.client.get(`/api/teams/${teamId}/billing-profiles`)).json().items.find((p: { id: string }) => p.id === id);
    expect(listed).toMatchObject({ street: "Hauptstraße 5", city: "Potsdam", postalCode: "14467" });

    const cleared = await bob.client.patch(`/api/teams/${teamId}/billing-profiles/${id}`, { street: "   " });
    expect(cleared.json().billingProfile.street).toBe("");

    const plain = await bob.client.post(`/api/teams/${teamId}/billing-profiles`, { name: "Plain", country: "FR", cardBrand: "visa", cardLast4: "1111" });
    expect(plain.statusCode).toBe(201);
    expect(plain.json().billingProfile).toMatchObject({ street: "", city: "", postalCode: "" });
  });

  it("refuses address lines with control or bidi characters, or too long, as 400 naming the field", async () => {
    const base = { name: "Bad", country: "DE", cardBrand: "visa", cardLast4: "4242" };
    for (const [field, value] of [
      ["city", "Berlin\u202Eevil"],
      ["street", "Line\u0007bell"],
      ["postalCode", "1".repeat(21)],
      ["street", "4111 1111 1111 1111"],
    ] as const) {
      const response = await bob.client.post(`/api/teams/${teamId}/billing-profiles`, { ...base, [field]: value });
      expect([response.statusCode, response.json().code], `${field}=${value}`).toEqual([400, "invalid_request"]);
      expect(JSON.stringify(response.json().errors ?? [])).toContain(field);
    }
  });
});
