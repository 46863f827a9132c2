// Runs the sweep of expired rows (commands/sweep-expired.ts) inside the server process: once a
// minute after start, then every hour. Several servers on one PostgreSQL database may all run it;
// the deletes are idempotent. The timer never keeps the process alive.
import { HOUR, MINUTE } from "./clock.js";
import type { Deps } from "./context.js";
import { sweepExpired } from "./commands/sweep-expired.js";
import type { SweepResult } from "./commands/sweep-expired.js";

export interface SweeperLog {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SweeperOptions {
  firstAfterMs?: number;
  everyMs?: number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly firstAfterMs: number;
  private readonly everyMs: number;

  constructor(
    private readonly deps: Pick<Deps, "db" | "clock" | "config">,
    private readonly log: SweeperLog,
    options: SweeperOptions = {},
  ) {
    this.firstAfterMs = options.firstAfterMs ?? MINUTE;
    this.everyMs = options.everyMs ?? HOUR;
  }

  start(): void {
    this.schedule(this.firstAfterMs);
  }

  /** Stops the timer and waits for a sweep in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.sweep().finally(() => this.schedule(this.everyMs));
    }, delayMs);
    this.timer.unref();
  }

  private async sweep(): Promise<SweepResult | undefined> {
    try {
      const removed = await sweepExpired(this.deps);
      if (removed.sessions + removed.passwordResets + removed.outbox > 0) this.log.info({ removed }, "expired rows removed");
      return removed;
    } catch (error) {
      this.log.error({ err: error }, "sweep of expired rows failed; trying again in an hour");
      return undefined;
    }
  }
}
