// On PostgreSQL the demonstration CA is the database's (issue 13): servers that start at once on an
// empty database each offer a CA and all end with the one that won; its keys are sealed with the
// master key in the row and nothing is written under DATA_DIR; a CA this server kept in DATA_DIR
// before is the one adopted, and a DATA_DIR holding another CA than the shared one stops the start.
import { createSecretKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caProvider } from "../src/server/account/ca-provider.js";
import { CaStoreError, DemoCa } from "../src/server/certs/index.js";
import { createDb } from "../src/server/db/create-db.js";
import type { Db } from "../src/server/db/create-db.js";
import { createSealer } from "../src/server/sealer.js";
import { makeCsr, makeTmpDir } from "./helpers/csr.js";
import { createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

const newSealer = () => createSealer(createSecretKey(randomBytes(32)));

describe.skipIf(!process.env.TEST_POSTGRES_URL)("the demonstration CA in PostgreSQL", () => {
  let t: TestDatabase;
  let other: Db;
  const tmp = makeTmpDir("certdesk-ca-db-");
  const sealer = newSealer();

  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    other = createDb(t.url); // a second server's own pool on the same database
  });
  afterAll(async () => {
    await other?.close();
    await t?.drop();
    tmp.cleanup();
  });

  const dir = (name: string) => path.join(tmp.dir, name);
  const clearTable = () => t.db.kysely.deleteFrom("demonstrationCa").execute();

  it("two servers starting at once on an empty database end with the same CA, created once", async () => {
    for (let round = 0; round < 5; round++) {
      await clearTable();
      const [a, b] = await Promise.all([
        caProvider(dir(`a${round}`), sealer, t.db).get(),
        caProvider(dir(`b${round}`), sealer, other).get(),
      ]);
      expect(b.rootPem).toBe(a.rootPem);
      expect(b.intermediatePem).toBe(a.intermediatePem);
      const rows = await t.db.kysely.selectFrom("demonstrationCa").selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.rootCertPem).toBe(a.rootPem);
      // Nothing of the CA under either server's DATA_DIR.
      expect(fs.existsSync(dir(`a${round}`))).toBe(false);
      expect(fs.existsSync(dir(`b${round}`))).toBe(false);
    }
  });

  it("keeps the keys sealed in the row: they open with the master key only, and sign what chains to the shared root", async () => {
    const row = await t.db.kysely.selectFrom("demonstrationCa").selectAll().executeTakeFirstOrThrow();
    for (const sealed of [row.rootKeySealed, row.intermediateKeySealed]) {
      expect(sealed).toMatch(/^v1\./);
      expect(sealed).not.toContain("PRIVATE KEY");
    }
    await expect(t.db.kysely.updateTable("demonstrationCa").set({ rootKeySealed: "-----BEGIN PRIVATE KEY-----" }).execute()).rejects.toThrow();

    const ca = await caProvider(dir("later"), sealer, other).get();
    const domain = "shared-ca.example.com";
    const issued = await ca.issue({ csrPem: makeCsr({ san: [domain] }).csrPem, domains: [domain], validityDays: 1 });
    expect(issued.chainPem).toBe(row.intermediateCertPem + row.rootCertPem);

    await expect(caProvider(dir("wrong-key"), newSealer(), t.db).get()).rejects.toBeInstanceOf(CaStoreError);
    await expect(caProvider(dir("no-key"), undefined, t.db).get()).rejects.toBeInstanceOf(CaStoreError);
  });

  it("adopts the CA a server kept in DATA_DIR before, and refuses a DATA_DIR that holds another one", async () => {
    await clearTable();
    const before = await DemoCa.loadOrCreate(dir("kept-before"), sealer); // as the files store made it
    const adopted = await caProvider(dir("kept-before"), sealer, t.db).get();
    expect(adopted.rootPem).toBe(before.rootPem);
    expect(adopted.intermediatePem).toBe(before.intermediatePem);
    // A second server with an empty DATA_DIR loads it from the database.
    expect((await caProvider(dir("fresh"), sealer, other).get()).rootPem).toBe(before.rootPem);
    // The same directory again is fine (its CA is the shared one); another CA's directory is not.
    expect((await caProvider(dir("kept-before"), sealer, other).get()).rootPem).toBe(before.rootPem);
    await DemoCa.loadOrCreate(dir("another"), sealer);
    await expect(caProvider(dir("another"), sealer, other).get()).rejects.toThrow(/holds another demonstration CA/);
  });

  it("adopts a CA kept before sealing, sealing its keys in the row", async () => {
    await clearTable();
    const plain = await DemoCa.loadOrCreate(dir("plain-before"));
    expect(fs.readFileSync(path.join(dir("plain-before"), "root.key.pem"), "utf8")).toContain("PRIVATE KEY");
    expect((await caProvider(dir("plain-before"), sealer, t.db).get()).rootPem).toBe(plain.rootPem);
    const row = await t.db.kysely.selectFrom("demonstrationCa").selectAll().executeTakeFirstOrThrow();
    expect(row.rootKeySealed).toMatch(/^v1\./);
    expect(row.intermediateKeySealed).toMatch(/^v1\./);
  });
});
