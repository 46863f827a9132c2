// Runs the certificate reminders (commands/send-reminders.ts, SPEC 19) inside the server process:
// a minute after start, then every 15 minutes. Several servers may all run it: each reminder is
// claimed by a unique row in the transaction that queues it, so it is sent once. The timer never
// keeps the process alive.
import { MINUTE } from "./clock.js";
import { sendReminders } from "./commands/send-reminders.js";
import type { ReminderDeps } from "./commands/send-reminders.js";
import type { SweeperLog } from "./sweeper.js";

export class ReminderScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: ReminderDeps,
    private readonly log: SweeperLog,
    private readonly options: { firstAfterMs?: number; everyMs?: number } = {},
  ) {}

  start(): void {
    this.schedule(this.options.firstAfterMs ?? MINUTE);
  }

  /** Stops the timer and waits for a run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run now (tests, `certdesk reminders`). */
  async runOnce(): Promise<number> {
    try {
      const reminded = await sendReminders(this.deps);
      if (reminded > 0) this.log.info({ reminded }, "certificate reminders queued");
      return reminded;
    } catch (error) {
      this.log.error({ err: error }, "certificate reminders failed; trying again later");
      return 0;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce().finally(() => this.schedule(this.options.everyMs ?? 15 * MINUTE));
    }, delayMs);
    this.timer.unref();
  }
}
