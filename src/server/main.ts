// The server process: read config, open the database, migrate, build the app, listen, shut down gracefully.
import "reflect-metadata";
import fs from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { caProvider } from "./account/ca-provider.js";
import { sweepStagedUploads } from "./account/document-files.js";
import { recordOnlyGateway } from "./account/payment-gateway.js";
import { buildApp } from "./app.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { connectAtStart } from "./db/availability.js";
import { OutboxDispatcher } from "./mail/dispatcher.js";
import { sealPlainBodies } from "./mail/outbox.js";
import { createTransport } from "./mail/transport.js";
import { openSealer } from "./master-key.js";
import { migrateToLatest } from "./migrations/index.js";
import { ReminderScheduler } from "./reminder-scheduler.js";
import { Sweeper } from "./sweeper.js";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  // One round trip first: a DATABASE_URL that cannot be reached stops the start in one line.
  const db = await connectAtStart(config.databaseUrl);
  await migrateToLatest(db);
  // Before anything is served: a wrong or missing master key for this database stops the start here.
  const sealer = await openSealer(db, config);
  const sealedOnUpgrade = await sealPlainBodies(db, sealer);
  // Created (or loaded) before listening: a damaged CA directory stops the start with its reason.
  const ca = caProvider(path.join(config.dataDir, "ca"), sealer, db);
  await ca.get();
  const swept = await sweepStagedUploads(config.dataDir);
  // Without SMTP every e-mail becomes a file: a MAIL_DIR that cannot be written is refused now, not
  // found out by the first invitation's e-mail failing for ever.
  if (!config.smtpUrl) {
    await fs.mkdir(config.mailDir, { recursive: true, mode: 0o700 });
    await fs.access(config.mailDir, fs.constants.W_OK);
  }
  const transport = createTransport(config);
  let dispatcher: OutboxDispatcher | undefined;
  const app = await buildApp(
    { db, config, clock: systemClock, mail: { wake: () => dispatcher?.wake() }, ca, payments: recordOnlyGateway, sealer },
    { logger: { level: config.logLevel, redact: ["req.headers.cookie", "req.headers.authorization", 'res.headers["set-cookie"]'] } },
  );
  dispatcher = new OutboxDispatcher({ db, clock: systemClock, transport, sealer, log: app.log });
  dispatcher.start();
  const sweeper = new Sweeper({ db, clock: systemClock, config }, app.log);
  sweeper.start();
  const reminders = new ReminderScheduler({ db, clock: systemClock, config, sealer, mail: { wake: () => dispatcher?.wake() } }, app.log);
  reminders.start();
  if (sealedOnUpgrade > 0) app.log.info({ sealedOnUpgrade }, "sealed the bodies of e-mails queued before sealing");
  if (swept > 0) app.log.warn({ swept }, "removed uploads interrupted by an earlier stop");
  const url = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () =>
      (closing ??= (async () => {
        // The timers that only look for work stop at once; the dispatcher keeps sending what the
        // requests still draining queue, and the database stays open until both are done.
        await Promise.all([drain(app), sweeper.stop(), reminders.stop()]);
        await dispatcher.stop();
        transport.close();
        await db.close();
      })()),
  };
}

/** How long requests in flight may take to finish after a shutdown began; then their connections are cut. */
const DRAIN_TIMEOUT_MS = 25_000;
/** How often a connection whose last request has finished is looked for, and closed, while draining. */
const IDLE_SWEEP_MS = 50;

/**
 * Graceful shutdown (README "Running several servers"): the listener closes (new connections are
 * refused, so the load balancer's probes fail and it sends traffic elsewhere), a request that
 * arrives on an open keep-alive connection is answered 503 with Connection: close (Fastify's
 * return503OnClosing; /health/ready included), and requests in flight run to the end with the
 * database still open, their onClose work (background jobs, key-use and rate-limit flushes) after.
 *
 * Node closes the connections that are idle when the listener closes, but not one that becomes
 * idle later (its request finished during the drain): that one would hold the close until its
 * keep-alive timeout. So idle connections are swept until the server has closed, and past
 * DRAIN_TIMEOUT_MS (a client that never finishes its upload) every connection is cut.
 */
async function drain(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const cut = setTimeout(() => {
    app.log.warn({ afterMs: DRAIN_TIMEOUT_MS }, "requests still running at shutdown: their connections are cut");
    app.server.closeAllConnections();
  }, DRAIN_TIMEOUT_MS);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

export function closeOnSignals(server: RunningServer): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      server.app.log.info({ signal }, "shutting down");
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          server.app.log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}
