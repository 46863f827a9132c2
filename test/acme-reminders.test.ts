// Reminders for ACME orders (SPEC 19, 20): an ACME certificate about to end reminds the members
// holding certificates.manage that its ACME client should renew it, naming the credential; once the
// client has renewed (a newer certificate of the team names the same names, through a new order),
// the old certificate's later reminders are not sent.
import acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundIdle } from "../src/server/background.js";
import { DAY } from "../src/server/clock.js";
import { sendReminders } from "../src/server/commands/send-reminders.js";
import { ENGINES } from "./helpers/engines.js";
import { startAcmeTestServer } from "./helpers/acme-server.js";
import type { AcmeTestServer } from "./helpers/acme-server.js";
import { uniqueDomain } from "./helpers/fixtures.js";

describe.each(ENGINES)("ACME reminders (%s)", (engine) => {
  let s: AcmeTestServer;
  beforeAll(async () => {
    s = await startAcmeTestServer(engine);
  });
  afterAll(async () => {
    await s?.close();
  });

  const deps = () => ({ db: s.h.t.db, clock: s.h.clock, config: s.h.config, sealer: s.h.sealer, mail: { wake() {} } });

  async function issue(client: acme.Client, domain: string): Promise<string> {
    const order = await client.createOrder({ identifiers: [{ type: "dns", value: domain }] });
    for (const authz of await client.getAuthorizations(order)) {
      if (authz.status === "valid") continue;
      const challenge = authz.challenges.find((c) => c.type === "dns-01")!;
      s.h.dns.set(`_acme-challenge.${domain}`, "TXT", [await client.getChallengeKeyAuthorization(challenge)]);
      await client.completeChallenge(challenge);
      await backgroundIdle(s.h.app);
      await client.waitForValidStatus(challenge);
    }
    const [, csr] = await acme.crypto.createCsr({ altNames: [domain] });
    return client.getCertificate(await client.finalizeOrder(order, csr));
  }

  it("says the ACME client should renew, and stops once it has", async () => {
    const client = new acme.Client({
      directoryUrl: s.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
      externalAccountBinding: { kid: s.credential.keyId, hmacKey: s.credential.hmacKey },
      backoffMin: 10,
      backoffMax: 200,
    });
    await client.createAccount({ termsOfServiceAgreed: true });
    const domain = uniqueDomain("remind");
    const first = acme.crypto.readCertificateInfo(await issue(client, domain));
    const firstRow = await s.h.t.db.kysely.selectFrom("certificates").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();

    // 29 days before it ends: the 30-day reminder, about the ACME client and its credential.
    s.h.clock.set(new Date(first.notAfter.getTime() - 29 * DAY));
    expect(await sendReminders(deps())).toBeGreaterThanOrEqual(1);
    const email = await s.h.lastEmailTo(s.owner.user.email);
    expect(email?.subject).toMatch(new RegExp(`${domain.replace(/\./g, "\\.")} ends in 30 days`));
    expect(email?.text).toContain('through ACME with the credential "test credential"');

    // The client renews: a new order, a new certificate for the same name.
    await issue(client, domain);
    // 6 days before the first one ends: it was renewed, so no 7-day reminder about it.
    s.h.clock.set(new Date(first.notAfter.getTime() - 6 * DAY));
    await sendReminders(deps());
    const sevenDay = await s.h.t.db.kysely.selectFrom("certificateReminders").select("certificateId").where("daysBefore", "=", 7).execute();
    expect(sevenDay.map((r) => r.certificateId)).not.toContain(firstRow.id);
    expect((await s.h.lastEmailTo(s.owner.user.email))?.subject).toBe(email?.subject);
  });
});
