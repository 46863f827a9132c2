// Child processes for the bench: the built certdesk server and the bare Fastify ceiling, each
// on its own port; waiting until they answer; and sampling a process's resident memory.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Child {
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (this.output.length > 100) this.output.splice(0, this.output.length - 100);
    };
    process.stdout?.on("data", keep);
    process.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => process.once("exit", () => resolve()));
  }

  /** Starts `node script args…` with PORT set to a free port and waits until `probePath` answers. */
  static async start(
    name: string,
    script: string,
    args: string[],
    env: Record<string, string>,
    probePath: string,
    nodeOptions: string[] = [],
  ): Promise<Child> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [...nodeOptions, script, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const started = new Child(name, url, child);
    await started.waitUntilAnswering(probePath);
    return started;
  }

  get pid(): number {
    return this.process.pid!;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  private async waitUntilAnswering(probePath: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited during start-up:\n${this.tail()}`);
      try {
        const response = await fetch(this.url + probePath, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`${this.name} did not answer within ${timeoutMs} ms:\n${this.tail()}`);
  }

  tail(): string {
    return this.output.join("\n");
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Resident set size of a process in MiB (VmRSS from /proc), or undefined off Linux. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in microseconds, or undefined off Linux. */
export function cpuMicros(pid: number): number | undefined {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every intervalMs; `take()` returns and resets the window's peak. */
export class RssSampler {
  private timer: NodeJS.Timeout;
  private windowPeak = 0;
  peak = 0;
  first: number | undefined;
  last: number | undefined;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const value = rssMiB(this.pid);
    if (value === undefined) return;
    this.first ??= value;
    this.last = value;
    this.windowPeak = Math.max(this.windowPeak, value);
    this.peak = Math.max(this.peak, value);
  }

  /** The peak since the previous call. */
  take(): number {
    this.sample();
    const peak = this.windowPeak;
    this.windowPeak = 0;
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
