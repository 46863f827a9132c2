// How an e-mail leaves: over SMTP when SMTP_URL is set, else as an RFC 822 .eml file
// in MAIL_DIR (one file per message, written atomically, named so that `ls` sorts by time).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer/index.js";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { Config } from "../config.js";
import type { OutgoingEmail } from "./outbox.js";

export interface SendOptions {
  /**
   * A stable id for the message (the outbox row's id): it becomes the Message-ID,
   * so a message re-sent after a crash between "accepted" and "marked sent" can be
   * recognised as the same one, and names the .eml file.
   */
  id?: string;
}

export interface MailTransport {
  /** Resolves once the message is accepted (by the SMTP server, or written to disk); rejects otherwise. */
  send(email: OutgoingEmail, options?: SendOptions): Promise<void>;
  close(): void;
}

export type TransportConfig = Pick<Config, "smtpUrl" | "mailDir" | "baseUrl">;

/** Timeouts for each stage of an SMTP exchange, so a silent server cannot hold the dispatcher. */
export const SMTP_TIMEOUT_MS = 10_000;

export function createTransport(config: TransportConfig): MailTransport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl, config.baseUrl) : createFileTransport(config.mailDir, config.baseUrl);
}

/** The mail domain of BASE_URL's host; an IP address becomes an address literal. */
export function mailDomain(baseUrl: string): string {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
  const kind = isIP(host);
  if (kind === 4) return `[${host}]`;
  if (kind === 6) return `[IPv6:${host}]`;
  return host;
}

/** `certdesk <no-reply@HOST>`, HOST being BASE_URL's. */
export function fromAddress(baseUrl: string): Mail.Address {
  return { name: "certdesk", address: `no-reply@${mailDomain(baseUrl)}` };
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The nodemailer message for one e-mail: multipart/alternative, text first, then HTML. */
function message(email: OutgoingEmail, baseUrl: string, options: SendOptions): Mail.Options {
  return {
    from: fromAddress(baseUrl),
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    ...(options.id ? { messageId: `<${options.id}@${mailDomain(baseUrl)}>` } : {}),
    // RFC 3834: no out-of-office replies to a machine.
    headers: { "Auto-Submitted": "auto-generated" },
  };
}

function createSmtpTransport(smtpUrl: string, baseUrl: string): MailTransport {
  const host = new URL(smtpUrl).hostname;
  const options: SMTPTransport.Options = {
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    dnsTimeout: SMTP_TIMEOUT_MS,
    // A relay on this machine needs no TLS (and usually has no certificate a client
    // could verify); elsewhere STARTTLS is used when offered, with verified certificates.
    // Query parameters of SMTP_URL (e.g. ?requireTLS=true) override these.
    ...(isLoopback(host) ? { ignoreTLS: true } : {}),
  };
  const transporter = nodemailer.createTransport(options);
  // Failures reach send()'s caller; an 'error' event with no listener would crash the process.
  transporter.on("error", () => {});
  return {
    async send(email, sendOptions = {}) {
      await transporter.sendMail(message(email, baseUrl, sendOptions));
    },
    close() {
      transporter.close();
    },
  };
}

/** 2026-11-27T23:05:01.123Z → 20261127T230501.123Z: sorts by time, safe in every file system. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "");
}

function createFileTransport(mailDir: string, baseUrl: string): MailTransport {
  const renderer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  let dirReady: Promise<unknown> | undefined;
  return {
    async send(email, sendOptions = {}) {
      // The .eml holds live tokens: readable by the server's user only.
      dirReady ??= fs.mkdir(mailDir, { recursive: true, mode: 0o700 });
      try {
        await dirReady;
      } catch (error) {
        dirReady = undefined;
        throw error;
      }
      const info = await renderer.sendMail(message(email, baseUrl, sendOptions));
      const raw = info.message;
      if (!Buffer.isBuffer(raw)) throw new Error("nodemailer did not render the message to a buffer");
      const unique = (sendOptions.id ?? "").replace(/[^A-Za-z0-9-]/g, "") || randomBytes(8).toString("hex");
      const name = `${fileStamp(new Date())}-${unique}.eml`;
      const temporary = path.join(mailDir, `.${name}.${randomBytes(4).toString("hex")}.tmp`);
      const handle = await fs.open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(raw);
        await handle.sync();
      } catch (error) {
        await handle.close();
        await fs.rm(temporary, { force: true });
        throw error;
      }
      await handle.close();
      try {
        await fs.rename(temporary, path.join(mailDir, name));
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw error;
      }
    },
    close() {
      renderer.close();
    },
  };
}
