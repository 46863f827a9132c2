// "Last used" for what a machine signs in with (an API key, an ACME account: SPEC 13): recorded at
// most once a minute per id and process, so a busy client costs no write per request. The write
// runs after the answer, as the app's background work (background.ts: close() and tests wait for
// it, a failure is logged): a use that was not recorded is less bad than a refused one.
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";

export class LastUseRecorder {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    /** Sets the row's last use to `at` unless it is already later (another server's). */
    private readonly write: (id: string, at: string) => Promise<unknown>,
    private readonly inBackground: (job: () => Promise<unknown>) => void,
  ) {}

  used(id: string): void {
    const now = this.clock.now().getTime();
    const last = this.written.get(id);
    if (last !== undefined && now - last < MINUTE) return;
    if (this.written.size > 10_000) this.written.clear();
    this.written.set(id, now);
    const at = new Date(now).toISOString();
    this.inBackground(() => this.write(id, at));
  }
}
