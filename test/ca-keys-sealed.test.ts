// The demonstration CA's private keys are sealed with the master key at rest (API.md: MASTER_KEY
// also encrypts the CA's keys): DATA_DIR alone does not reveal them, another key does not open
// them, and a CA created before sealing is sealed in place on its next load.
import { createSecretKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CaStoreError, DemoCa } from "../src/server/certs/index.js";
import { createSealer } from "../src/server/sealer.js";
import { makeCsr, makeTmpDir } from "./helpers/csr.js";

const sealer = () => createSealer(createSecretKey(randomBytes(32)));

describe("the CA's keys at rest", () => {
  const tmp = makeTmpDir("certdesk-ca-sealed-");
  afterAll(() => tmp.cleanup());

  it("are sealed when created, open with the same key, and refuse another key or none", async () => {
    const dir = path.join(tmp.dir, "created");
    const key = sealer();
    const ca = await DemoCa.loadOrCreate(dir, key);
    for (const file of ["root.key.pem", "intermediate.key.pem"]) {
      const content = fs.readFileSync(path.join(dir, file), "utf8");
      expect(content).not.toContain("PRIVATE KEY");
      expect(content).toMatch(/^v1\./);
    }
    const again = await DemoCa.loadOrCreate(dir, key);
    expect(again.rootPem).toBe(ca.rootPem);
    const domain = "sealed.example.com";
    expect((await again.issue({ csrPem: makeCsr({ san: [domain] }).csrPem, domains: [domain], validityDays: 1 })).serialNumber).toMatch(/^[0-9a-f]{32}$/);
    await expect(DemoCa.loadOrCreate(dir, sealer())).rejects.toBeInstanceOf(CaStoreError);
    await expect(DemoCa.loadOrCreate(dir)).rejects.toBeInstanceOf(CaStoreError);
  });

  it("a CA with plain key files is sealed in place on its next load with a key", async () => {
    const dir = path.join(tmp.dir, "legacy");
    const plain = await DemoCa.loadOrCreate(dir);
    expect(fs.readFileSync(path.join(dir, "root.key.pem"), "utf8")).toContain("PRIVATE KEY");
    const key = sealer();
    const sealed = await DemoCa.loadOrCreate(dir, key);
    expect(sealed.rootPem).toBe(plain.rootPem);
    expect(fs.readFileSync(path.join(dir, "root.key.pem"), "utf8")).not.toContain("PRIVATE KEY");
    expect(fs.readFileSync(path.join(dir, "intermediate.key.pem"), "utf8")).not.toContain("PRIVATE KEY");
    expect(fs.statSync(path.join(dir, "root.key.pem")).mode & 0o777).toBe(0o600);
    expect((await DemoCa.loadOrCreate(dir, key)).intermediatePem).toBe(plain.intermediatePem);
  });
});
