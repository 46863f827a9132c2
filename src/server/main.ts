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
        await app.close();
        await sweeper.stop();
        await reminders.stop();
        await dispatcher.stop();
        transport.close();
        await db.close();
      })()),
  };
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
