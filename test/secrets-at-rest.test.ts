// SECURITY.md 25: a copy of the database (SQLite db + WAL + shm, byte for byte, or a pg_dump), taken
// while an invitation and a password reset wait in the outbox or after they were sent, holds neither
// token in any encoding, while the delivered e-mails carry both and both work. And around it: the
// master key (MASTER_KEY or DATA_DIR/master.key, generated once), its check against the database, the
// file modes, SQLite's secure_delete, and a dispatcher that sends only what opens with the key.
import { execFile } from "node:child_process";
import { createSecretKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import SqliteDatabase from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/server/config.js";
import { createDb, openSqlite } from "../src/server/db/create-db.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { OutboxDispatcher } from "../src/server/mail/dispatcher.js";
import { queueEmail, sealPlainBodies } from "../src/server/mail/outbox.js";
import { createTransport } from "../src/server/mail/transport.js";
import { MASTER_KEY_FILE, openSealer, verifyMasterKey } from "../src/server/master-key.js";
import { startServer } from "../src/server/main.js";
import { createSealer } from "../src/server/sealer.js";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { linkTokenIn } from "./helpers/server.js";
import { startSmtpServer } from "./helpers/smtp.js";
import type { TestSmtpServer } from "./helpers/smtp.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const newKey = () => randomBytes(32).toString("base64url");
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/**
 * The ways a token could sit in stored bytes: as text (UTF-8 and UTF-16), base64 or base64url of that
 * text at each of the three alignments a longer encoded body could give it, and its 32 raw bytes
 * (as bytes, hex and base64). Quoted-printable leaves base64url characters alone but may break a
 * line inside the token with a soft break ("=\r\n"): the haystack is also searched with those joined.
 */
function tokenForms(token: string): Buffer[] {
  const forms = [Buffer.from(token), Buffer.from(token, "utf16le")];
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.from("x".repeat(shift) + token);
    for (const encoding of ["base64", "base64url"] as const) {
      const encoded = padded.toString(encoding).replace(/=+$/, "");
      forms.push(Buffer.from(encoded.slice(4, -4))); // the middle, which the neighbours cannot change
    }
  }
  const raw = Buffer.from(token, "base64url");
  forms.push(raw, Buffer.from(raw.toString("hex")), Buffer.from(raw.toString("base64").slice(0, 40)));
  return forms;
}

function expectNoToken(haystack: Buffer, token: string, what: string): void {
  const joined = Buffer.from(haystack.toString("latin1").replace(/=\r?\n/g, ""), "latin1");
  for (const form of tokenForms(token)) {
    expect(haystack.includes(form), `${what} holds the token as ${JSON.stringify(form.toString("latin1"))}`).toBe(false);
    expect(joined.includes(form), `${what} holds the token (quoted-printable) as ${JSON.stringify(form.toString("latin1"))}`).toBe(false);
  }
}

/** A copy of what an attacker would take: the SQLite files byte for byte, or a pg_dump of the database. */
async function copyOfDatabase(t: TestDatabase, engine: string): Promise<Buffer> {
  if (engine === "sqlite") {
    const file = t.url.slice("sqlite:".length);
    const parts = ["", "-wal", "-shm"].map((suffix) => file + suffix).filter((f) => fs.existsSync(f));
    expect(parts.length).toBeGreaterThanOrEqual(2); // the db and its WAL at least
    return Buffer.concat(parts.map((f) => fs.readFileSync(f)));
  }
  const { stdout } = await run("/usr/bin/pg_dump", ["--no-owner", t.url], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe.each(ENGINES)("secrets at rest on %s", (engine) => {
  describe("a copy of the database while e-mails wait and after they were sent", () => {
    let h: TestApp;
    let smtp: TestSmtpServer;

    beforeEach(async () => {
      h = await createTestApp(engine);
      smtp = await startSmtpServer();
    });
    afterEach(async () => {
      await smtp.stop();
      await h.close();
    });

    it("holds no invitation or reset token; the delivered e-mails do, and both tokens work", async () => {
      const ada = await h.signUp("Ada Lovelace");
      const bobEmail = uniqueEmail("Bob");
      const bob = await h.signUp("Bob Babbage", bobEmail);
      const invited = await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email: bobEmail, roles: ["billing"] });
      expect(invited.statusCode, invited.body).toBe(201);
      expect((await h.client().post("/api/auth/password-reset", { email: ada.user.email })).statusCode).toBe(202);
      const invitationToken = await h.linkTokenFor(bobEmail, "invitations");
      const resetToken = await h.linkTokenFor(ada.user.email, "reset-password");

      const queued = await copyOfDatabase(h.t, engine);
      // The copy did catch both queued rows (their subjects are stored readable) …
      expect(queued.includes(Buffer.from("Ada Lovelace invited you to join"))).toBe(true);
      expect(queued.includes(Buffer.from("Reset your certdesk password"))).toBe(true);
      // … but not the tokens of their links.
      expectNoToken(queued, invitationToken, "a copy taken while the e-mails were queued");
      expectNoToken(queued, resetToken, "a copy taken while the e-mails were queued");

      const transport = createTransport({ smtpUrl: smtp.url, mailDir: h.config.mailDir, baseUrl: h.config.baseUrl });
      const dispatcher = new OutboxDispatcher({ db: h.t.db, clock: h.clock, transport, sealer: h.sealer });
      try {
        expect(await dispatcher.drain()).toBe(2);
      } finally {
        await dispatcher.stop();
        transport.close();
      }

      const sent = await copyOfDatabase(h.t, engine);
      expect(sent.includes(Buffer.from("Reset your certdesk password"))).toBe(true);
      expectNoToken(sent, invitationToken, "a copy taken after the e-mails were sent");
      expectNoToken(sent, resetToken, "a copy taken after the e-mails were sent");
      const rows = await h.t.db.kysely.selectFrom("outbox").select(["sentAt", "textBody", "htmlBody"]).execute();
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row).toMatchObject({ sentAt: expect.any(String), textBody: "", htmlBody: "" });

      // The e-mails that left carry the tokens, in text and HTML, and the tokens work.
      expect(linkTokenIn(smtp.messages, bobEmail, "invitations")).toBe(invitationToken);
      expect(linkTokenIn(smtp.messages, ada.user.email, "reset-password")).toBe(resetToken);
      for (const mail of smtp.messages) expect(mail.parsed.html).toMatch(new RegExp(`/(invitations|reset-password)/(${invitationToken}|${resetToken})`));
      const accepted = await bob.client.post(`/api/invitations/${invitationToken}/accept`);
      expect(accepted.statusCode, accepted.body).toBe(200);
      const reset = await h.client().post("/api/auth/password-reset/confirm", { token: resetToken, password: `new ${PASSWORD}` });
      expect(reset.statusCode, reset.body).toBe(204);
    });
  });

  describe("the master key", () => {
    let t: TestDatabase;
    let root: string;

    beforeEach(async () => {
      t = await createTestDatabase(engine);
      root = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-key-"));
    });
    afterEach(async () => {
      await t.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    const configFor = (dataDir: string, env: Record<string, string> = {}) => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: t.url, ...env });

    it("is generated once into DATA_DIR/master.key (0600, DATA_DIR 0700) and reused on every later start", async () => {
      const dataDir = path.join(root, "data");
      const first = await openSealer(t.db, configFor(dataDir));
      const file = path.join(dataDir, MASTER_KEY_FILE);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(file)).toBe(0o600);
      const written = fs.readFileSync(file, "utf8");
      expect(written).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
      expect(fs.readdirSync(dataDir)).toEqual([MASTER_KEY_FILE]); // no temporary file left behind
      const sealed = first.seal("a link with a token", "ctx");

      const again = await openSealer(t.db, configFor(dataDir));
      expect(fs.readFileSync(file, "utf8")).toBe(written);
      expect(again.open(sealed, "ctx")).toBe("a link with a token");
      // The same key given as MASTER_KEY is the same key.
      const viaEnv = await openSealer(t.db, configFor(path.join(root, "elsewhere"), { MASTER_KEY: written.trim() }));
      expect(viaEnv.open(sealed, "ctx")).toBe("a link with a token");
      const checks = await t.db.kysely.withTables<{ masterKeyChecks: { keyVersion: number; checkValue: string } }>().selectFrom("masterKeyChecks").selectAll().execute();
      expect(checks).toHaveLength(1);
      expect(checks[0]!.checkValue).not.toContain(written.trim());
    });

    it("tightens an existing DATA_DIR and master.key to owner only", async () => {
      const dataDir = path.join(root, "loose");
      fs.mkdirSync(dataDir, { mode: 0o755 });
      fs.chmodSync(dataDir, 0o755);
      fs.writeFileSync(path.join(dataDir, MASTER_KEY_FILE), `${newKey()}\n`, { mode: 0o644 });
      fs.chmodSync(path.join(dataDir, MASTER_KEY_FILE), 0o644);
      await openSealer(t.db, configFor(dataDir));
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.join(dataDir, MASTER_KEY_FILE))).toBe(0o600);
    });

    it("with MASTER_KEY writes no key file, and servers sharing it open each other's sealed values", async () => {
      const key = newKey();
      const one = await openSealer(t.db, configFor(path.join(root, "one"), { MASTER_KEY: key }));
      const two = await openSealer(t.db, configFor(path.join(root, "two"), { MASTER_KEY: key }));
      expect(fs.existsSync(path.join(root, "one", MASTER_KEY_FILE))).toBe(false);
      expect(two.open(one.seal("shared", "ctx"), "ctx")).toBe("shared");
    });

    it("stops a start with another key, or with none, for a database that has one, in one clear line", async () => {
      const dataDir = path.join(root, "data");
      await openSealer(t.db, configFor(dataDir));

      const wrong = openSealer(t.db, configFor(path.join(root, "other"), { MASTER_KEY: newKey() }));
      await expect(wrong).rejects.toThrow(ConfigError);
      await expect(wrong).rejects.toThrow(/^The master key in MASTER_KEY is not the one this database's secrets are sealed with/);

      const missingDir = path.join(root, "fresh");
      const missing = openSealer(t.db, configFor(missingDir));
      await expect(missing).rejects.toThrow(/MASTER_KEY is not set and .*master\.key does not exist: start with the key it was first used with/);
      expect(fs.existsSync(path.join(missingDir, MASTER_KEY_FILE))).toBe(false); // no new key over existing data

      // The same refusals through the server's own start, before it listens.
      const server = startServer(configFor(path.join(root, "server"), { PORT: "0", MASTER_KEY: newKey() }));
      await expect(server).rejects.toThrow(/is not the one this database's secrets are sealed with/);
      // And by the CLI's check, which never generates a key.
      await expect(verifyMasterKey(t.db, configFor(path.join(root, "cli")))).rejects.toThrow(/MASTER_KEY is not set/);
      await expect(verifyMasterKey(t.db, configFor(dataDir))).resolves.toBeUndefined();
      for (const refused of [wrong, missing]) {
        const error = await refused.then(() => undefined, (e: unknown) => e as Error);
        expect(error?.message).not.toContain("\n");
      }
    });

    it("the CLI's check neither generates a key nor records one for a database that has none", async () => {
      const dataDir = path.join(root, "cli");
      await verifyMasterKey(t.db, configFor(dataDir));
      expect(fs.existsSync(path.join(dataDir, MASTER_KEY_FILE))).toBe(false);
      // so a server started later generates its own key, and the CLI then checks against that one
      await openSealer(t.db, configFor(dataDir));
      await expect(verifyMasterKey(t.db, configFor(dataDir))).resolves.toBeUndefined();
      await expect(verifyMasterKey(t.db, configFor(dataDir, { MASTER_KEY: newKey() }))).rejects.toThrow(/is not the one/);
    });

    it("refuses a malformed master.key file by name", async () => {
      const dataDir = path.join(root, "bad");
      fs.mkdirSync(dataDir, { mode: 0o700 });
      fs.writeFileSync(path.join(dataDir, MASTER_KEY_FILE), "not a key\n", { mode: 0o600 });
      await expect(openSealer(t.db, configFor(dataDir))).rejects.toThrow(new RegExp(`${MASTER_KEY_FILE} must be 32 random bytes in base64url`));
    });
  });

  describe("the dispatcher sends only what opens with the master key", () => {
    let t: TestDatabase;
    let smtp: TestSmtpServer;
    const sealer = createSealer(createSecretKey(randomBytes(32)));
    const email = { to: "reader@example.com", subject: "Sealed", text: "Open https://certdesk.test/x/secret\n", html: "<p>secret</p>" };

    beforeEach(async () => {
      t = await createTestDatabase(engine);
      smtp = await startSmtpServer();
    });
    afterEach(async () => {
      await smtp.stop();
      await t.drop();
    });

    async function drain(withSealer = sealer): Promise<number> {
      const transport = createTransport({ smtpUrl: smtp.url, mailDir: "/nonexistent", baseUrl: "http://certdesk.test" });
      const dispatcher = new OutboxDispatcher({ db: t.db, clock: { now: () => new Date() }, transport, sealer: withSealer });
      try {
        return await dispatcher.drain();
      } finally {
        await dispatcher.stop();
        transport.close();
      }
    }

    it("stores the bodies sealed and decrypts them only to send", async () => {
      await inTransaction(t.db, (tx) => queueEmail(tx, { clock: { now: () => new Date() }, sealer }, email));
      const row = await t.db.kysely.selectFrom("outbox").selectAll().executeTakeFirstOrThrow();
      expect(row.textBody).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      expect(row.htmlBody).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      expect(JSON.stringify(row)).not.toContain("secret");
      expect(await drain()).toBe(1);
      expect(smtp.messages[0]!.parsed.text).toBe(email.text);
    });

    it("marks failed, without sending, a row readdressed in the database or sealed with another key", async () => {
      await inTransaction(t.db, (tx) => queueEmail(tx, { clock: { now: () => new Date() }, sealer }, email));
      // Someone with write access to the database redirects the e-mail to themself.
      await t.db.kysely.updateTable("outbox").set({ toAddress: "attacker@example.com" }).execute();
      await inTransaction(t.db, (tx) => queueEmail(tx, { clock: { now: () => new Date() }, sealer: createSealer(createSecretKey(randomBytes(32))) }, email));
      expect(await drain()).toBe(0);
      expect(smtp.attempts).toBe(0);
      const rows = await t.db.kysely.selectFrom("outbox").selectAll().execute();
      for (const row of rows) {
        expect(row).toMatchObject({ sentAt: null, failedAt: expect.any(String), textBody: "", htmlBody: "" });
        expect(row.lastError).toMatch(/does not open with this master key/);
      }
      expect(await drain()).toBe(0); // never retried
    });

    it("seals, at start, the bodies an earlier release queued in plain text, then sends them", async () => {
      const now = new Date().toISOString();
      await t.db.kysely
        .insertInto("outbox")
        .values({ id: "legacy-1", toAddress: email.to, subject: "Old", textBody: email.text, htmlBody: email.html, createdAt: now, nextAttemptAt: now, sentAt: null, lastError: null })
        .execute();
      expect(await sealPlainBodies(t.db, sealer)).toBe(1);
      expect(await sealPlainBodies(t.db, sealer)).toBe(0); // once
      const row = await t.db.kysely.selectFrom("outbox").selectAll().executeTakeFirstOrThrow();
      expect(row.textBody).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain("secret");
      expect(await drain()).toBe(1);
      expect(smtp.messages[0]!.parsed.text).toBe(email.text);
    });
  });
});

describe("MASTER_KEY in the configuration", () => {
  it("accepts 32 bytes of base64url and keeps it out of anything printed", () => {
    const key = newKey();
    const config = loadConfig({ MASTER_KEY: key });
    expect(config.masterKey?.export().toString("base64url")).toBe(key);
    expect(JSON.stringify(config)).not.toContain(key);
    expect(loadConfig({}).masterKey).toBeUndefined();
  });

  it.each([
    ["too short", "c2hvcnQ"],
    ["standard base64 with padding", randomBytes(32).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64url")],
    ["a non-canonical last character", `${newKey().slice(0, 42)}B`],
    ["hex", randomBytes(32).toString("hex")],
  ])("refuses %s at start, in one line that does not repeat it", (_what, value) => {
    let error: unknown;
    try {
      loadConfig({ MASTER_KEY: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^MASTER_KEY must be 32 random bytes in base64url/);
    expect(message).not.toContain("\n");
    expect(message).not.toContain(value);
  });
});

describe("SQLite files of the embedded database", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-files-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates the database, its -wal and -shm owner-only (0600) in a 0700 directory", async () => {
    const file = path.join(dir, "data", "certdesk.db");
    const db = createDb(`sqlite:${file}`);
    try {
      await db.kysely.selectFrom("sqlite_master" as never).selectAll().execute();
      expect(modeOf(path.dirname(file))).toBe(0o700);
      for (const suffix of ["", "-wal", "-shm"]) expect(modeOf(file + suffix), suffix || "db").toBe(0o600);
    } finally {
      await db.close();
    }
  });

  it("tightens existing files made readable by others", () => {
    const file = path.join(dir, "old.db");
    const old = new SqliteDatabase(file);
    old.pragma("journal_mode = WAL");
    old.exec("create table t (v text); insert into t values ('x')");
    for (const suffix of ["", "-wal", "-shm"]) fs.chmodSync(file + suffix, 0o644);
    const reopened = openSqlite(file);
    try {
      for (const suffix of ["", "-wal", "-shm"]) expect(modeOf(file + suffix), suffix || "db").toBe(0o600);
    } finally {
      reopened.close();
      old.close();
    }
  });

  it("zeroes freed space (secure_delete): an overwritten or deleted value is gone from the file", () => {
    const file = path.join(dir, "freed.db");
    const database = openSqlite(file);
    try {
      expect(database.pragma("secure_delete", { simple: true })).toBe(1);
      const leftBehind = (setting: "ON" | "OFF") => {
        database.pragma(`secure_delete = ${setting}`);
        const updated = `updated-${setting}-${randomBytes(16).toString("hex")}`;
        const deleted = `deleted-${setting}-${randomBytes(16).toString("hex")}`;
        database.exec(`create table if not exists t (id integer primary key, v text)`);
        database.prepare("insert into t (v) values (?), (?), ('keeps the page in use')").run(updated, deleted);
        database.pragma("wal_checkpoint(TRUNCATE)");
        expect(fs.readFileSync(file).includes(updated)).toBe(true); // on disk before
        database.prepare("update t set v = '' where v = ?").run(updated);
        database.prepare("delete from t where v = ?").run(deleted);
        database.pragma("wal_checkpoint(TRUNCATE)");
        const bytes = fs.readFileSync(file);
        return { updated: bytes.includes(updated), deleted: bytes.includes(deleted) };
      };
      expect(leftBehind("ON")).toEqual({ updated: false, deleted: false });
      // Without it SQLite leaves the old bytes in the page's free space: what the pragma is for.
      expect(leftBehind("OFF")).toEqual({ updated: true, deleted: true });
    } finally {
      database.close();
    }
  });
});

describe("the certdesk command and the master key", () => {
  const BIN = path.join(ROOT, "bin/certdesk.js");
  const BUILT = path.join(ROOT, "dist/src/server/cli.js");
  let dir: string;

  beforeAll(() => {
    if (!fs.existsSync(BUILT)) throw new Error("The certdesk command is not built: run `npm run build:server` first.");
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-cli-key-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function certdesk(args: string[], env: Record<string, string>) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|MASTER_KEY|DEFAULT_TEAM_LIMIT|SMTP_URL|MAIL_DIR|BASE_URL|PORT)$/.test(name)));
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it("refuses a malformed MASTER_KEY, then a wrong one for a database with a key, each in one line", { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, "data");
    const url = `sqlite:${path.join(dataDir, "certdesk.db")}`;
    const malformed = await certdesk(["migrate"], { DATA_DIR: dataDir, DATABASE_URL: url, MASTER_KEY: "not-a-key" });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr.trim()).toMatch(/^certdesk: MASTER_KEY must be 32 random bytes in base64url[^\n]*$/);
    expect(fs.existsSync(dataDir)).toBe(false);

    const key = newKey();
    const first = await certdesk(["migrate"], { DATA_DIR: dataDir, DATABASE_URL: url, MASTER_KEY: key });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("0006_secrets_at_rest");
    expect(modeOf(path.join(dataDir, "certdesk.db"))).toBe(0o600);
    const again = await certdesk(["users", "show", "nobody@example.com"], { DATA_DIR: dataDir, DATABASE_URL: url, MASTER_KEY: key });
    expect(again.stderr.trim()).toBe("certdesk: No account for nobody@example.com.");

    const wrong = await certdesk(["users", "show", "nobody@example.com"], { DATA_DIR: dataDir, DATABASE_URL: url, MASTER_KEY: newKey() });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(/^certdesk: The master key in MASTER_KEY is not the one this database's secrets are sealed with[^\n]*$/);
    const missing = await certdesk(["migrate"], { DATA_DIR: dataDir, DATABASE_URL: url });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^certdesk: This database's secrets are sealed with a master key, but MASTER_KEY is not set[^\n]*$/);
    expect(fs.existsSync(path.join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });
});
