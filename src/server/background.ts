// Work a route does after its answer has been sent, so that how long the work takes cannot be
// read from the answer (SECURITY 29: a password reset answers alike for known and unknown e-mails).
// A failure is logged, never left unhandled. The app keeps track of what is still running: close()
// waits for it (a shutdown loses nothing that was answered 202), and tests await backgroundIdle().
import type { FastifyBaseLogger, FastifyInstance } from "fastify";

export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  /** Starts `job` on the next microtask; `what` names it in the log line if it fails. */
  run(what: string, log: FastifyBaseLogger, job: () => Promise<unknown>): void {
    const done: Promise<void> = Promise.resolve()
      .then(job)
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: error, job: what }, "background work failed"),
      )
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once nothing is running (work started meanwhile included). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}

const byApp = new WeakMap<FastifyInstance, BackgroundWork>();

/** The app's background work; app.close() waits for it. */
export function registerBackgroundWork(app: FastifyInstance): BackgroundWork {
  const work = new BackgroundWork();
  byApp.set(app, work);
  app.addHook("onClose", async () => work.idle());
  return work;
}

/** Resolves once the app's background work is done (tests read the outbox after this). */
export function backgroundIdle(app: FastifyInstance): Promise<void> {
  return byApp.get(app)?.idle() ?? Promise.resolve();
}
