// Without SMTP_URL each e-mail becomes an RFC 822 .eml file in MAIL_DIR.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { createSecretKey, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/server/clock.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { OutboxDispatcher } from "../src/server/mail/dispatcher.js";
import { queueEmail } from "../src/server/mail/outbox.js";
import { passwordResetEmail } from "../src/server/mail/templates.js";
import { createTransport, fromAddress, mailDomain } from "../src/server/mail/transport.js";
import { createSealer } from "../src/server/sealer.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

/** Queued bodies are sealed with the master key; any key will do here. */
const sealer = createSealer(createSecretKey(randomBytes(32)));
const EML_NAME = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f-]+\.eml$/;

describe.each(ENGINES)("e-mail as .eml files on %s", (engine) => {
  let t: TestDatabase;
  let root: string;

  beforeEach(async () => {
    t = await createTestDatabase(engine);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-mail-"));
  });

  afterEach(async () => {
    await t.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("writes each message as an .eml file that parses back with its link", async () => {
    const mailDir = path.join(root, "mail", "nested"); // created on first use
    const transport = createTransport({ smtpUrl: undefined, mailDir, baseUrl: "https://certdesk.example.com" });
    const dispatcher = new OutboxDispatcher({ db: t.db, clock: systemClock, transport, sealer });
    try {
      const link = "https://certdesk.example.com/reset-password/Zm9vYmFy-_0";
      const id = await inTransaction(t.db, (tx) =>
        queueEmail(
          tx,
          { clock: systemClock, sealer },
          passwordResetEmail({ to: "grace@example.com", name: "Grace", link, expiresAt: new Date("2026-03-01T10:00:00Z") }),
        ),
      );
      await inTransaction(t.db, (tx) =>
        queueEmail(tx, { clock: systemClock, sealer }, { to: "b@example.com", subject: "Second", text: "two\n", html: "<p>two</p>" }),
      );
      expect(await dispatcher.drain()).toBe(2);

      const files = fs.readdirSync(mailDir).sort();
      expect(files).toHaveLength(2); // no temporary file left behind
      for (const file of files) expect(file).toMatch(EML_NAME);
      expect(files[0]).toContain(id);
      const file = path.join(mailDir, files[0]!);
      expect(fs.statSync(file).mode & 0o077).toBe(0); // holds a live token: owner only

      const raw = fs.readFileSync(file);
      expect(raw.toString("latin1")).toContain("\r\n"); // RFC 5322 line ends
      const mail = await simpleParser(raw);
      expect(mail.subject).toBe("Reset your certdesk password");
      expect(mail.from?.value[0]).toEqual({ name: "certdesk", address: "no-reply@certdesk.example.com" });
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe("grace@example.com");
      expect(mail.messageId).toBe(`<${id}@certdesk.example.com>`);
      expect(mail.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
      expect(mail.text).toContain(link);
      expect(mail.text).toContain("Hello Grace,");
      expect(mail.html).toContain(`href="${link}"`);

      const second = await simpleParser(fs.readFileSync(path.join(mailDir, files[1]!)));
      expect(second.subject).toBe("Second");
    } finally {
      await dispatcher.stop();
      transport.close();
    }
  });
});

describe("sender address", () => {
  it("uses BASE_URL's host", () => {
    expect(fromAddress("http://localhost:3000")).toEqual({ name: "certdesk", address: "no-reply@localhost" });
    expect(mailDomain("https://Accounts.Example.COM/app")).toBe("accounts.example.com");
    expect(mailDomain("http://127.0.0.1:3000")).toBe("[127.0.0.1]");
    expect(mailDomain("http://[::1]:3000")).toBe("[IPv6:::1]");
  });
});
