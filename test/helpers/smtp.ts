// A real SMTP server in the test process (smtp-server on 127.0.0.1), keeping every
// accepted message parsed by mailparser, and able to refuse the first N attempts.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import type { ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { SMTPServerError } from "smtp-server";

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  rcptTo: string[];
  mailFrom: string | undefined;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtpOptions {
  /** Listen on this port (e.g. one freed by a previous server); default: any free port. */
  port?: number;
  /** Refuse this many mail transactions before accepting any. Default 0. */
  failFirst?: number;
  /** Where to refuse: at RCPT TO, or after the whole message was sent (DATA). Default "data". */
  failAt?: "rcpt" | "data";
  /** The SMTP reply code of a refusal: 4xx temporary, 5xx permanent. Default 451. */
  failCode?: number;
}

export interface TestSmtpServer {
  port: number;
  /** smtp://127.0.0.1:PORT */
  url: string;
  /** Messages accepted, in order. */
  messages: ReceivedMail[];
  /** Mail transactions seen (accepted and refused). */
  readonly attempts: number;
  /** Transactions refused so far. */
  readonly refused: number;
  /** Resolves once at least `count` messages were accepted; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const failFirst = options.failFirst ?? 0;
  const failAt = options.failAt ?? "data";
  const failCode = options.failCode ?? 451;
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let attempts = 0;
  let refused = 0;

  /** Counts a transaction once (at its first recipient) and says whether to refuse it. */
  const refusal = (): SMTPServerError | null => {
    if (refused >= failFirst) return null;
    refused += 1;
    const error: SMTPServerError = new Error(`Test server refusing attempt ${refused} of ${failFirst}`);
    error.responseCode = failCode;
    return error;
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    disableReverseLookup: true,
    // Connections still open when the test stops the server are cut, not waited for.
    closeTimeout: 100,
    onRcptTo(_address, session, callback) {
      if (session.envelope.rcptTo.length === 0) attempts += 1;
      if (failAt === "rcpt" && session.envelope.rcptTo.length === 0) {
        const error = refusal();
        if (error) return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error) => callback(error));
      stream.on("end", () => {
        if (failAt === "data") {
          const error = refusal();
          if (error) return callback(error);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              rcptTo: session.envelope.rcptTo.map((a) => a.address),
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              raw,
              parsed,
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // An error after start (a client resetting the connection) must not crash the test run.
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get attempts() {
      return attempts;
    },
    get refused() {
      return refused;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP test server: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (a server was there and was stopped). */
export async function closedPort(): Promise<number> {
  const probe = await startSmtpServer();
  await probe.stop();
  return probe.port;
}
