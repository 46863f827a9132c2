// `npm run bench`: seeds a fresh SQLite database, starts the BUILT certdesk server and a bare
// Fastify server as child processes, runs autocannon against each scenario of scenarios.ts, and
// prints a markdown table with the server's resident memory.
//
//   BENCH_DURATION=8  seconds measured per scenario (after BENCH_WARMUP=2 seconds unmeasured)
//   BENCH_CONNECTIONS=50
//   BENCH_MEMBERS=100000, BENCH_DEEP_AFTER=90% of them
//   BENCH_PAIRS=6         one-second slices per side when comparing a scenario with the bare route
//   BENCH_ONLY=substring   run only the scenarios whose name contains it (the ceiling always runs)
//   BENCH_PROFILE=dir      write a V8 CPU profile of the certdesk server into dir (open in Chrome DevTools)
//   BENCH_DATABASE=postgres://user@host:port/db   run on PostgreSQL: a fresh database is created on that
//                          server (named certdesk_bench_…), seeded the same way, and dropped at the end
//   BENCH_ACME_CLIENTS=10, BENCH_ACME_SECONDS=8   the ACME issuances row (bench/acme.ts), after the table's scenarios
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchDatabase } from "./database.js";
import { hotQueryPlans } from "./plans.js";
import { Child, RssSampler, cpuMicros } from "./processes.js";
import { prepareAcmeBench } from "./acme.js";
import { ocspGetPath } from "./ocsp-request.js";
import { SCENARIOS } from "./scenarios.js";
import type { BenchContext, BenchRequest, Scenario } from "./scenarios.js";
import { PASSWORD, seed } from "./seed.js";

// autocannon ships no types; this is the part of its programmatic API used here.
interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, "../src/server/cli.js");
const BARE = path.resolve(here, "bare-server.js");

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const DURATION = env("BENCH_DURATION", 8);
const WARMUP = env("BENCH_WARMUP", 2);
const CONNECTIONS = env("BENCH_CONNECTIONS", 50);
const MEMBERS = env("BENCH_MEMBERS", 100_000);
const DEEP_AFTER = env("BENCH_DEEP_AFTER", Math.floor(MEMBERS * 0.9));
const ORDERS = env("BENCH_ORDERS", 10_000);

interface Row {
  scenario: Scenario;
  result: AutocannonResult;
  /** Server CPU time per answered request, in µs. */
  cpuPerRequest: number | undefined;
  unexpected: string;
  rssPeak: number;
  background?: string;
  /** Against the bare route in interleaved slices (see pairedRatio). */
  paired?: Paired;
  /** A deep page against its first page in interleaved slices (see pairedP99). */
  deepP99?: { first: number; deep: number };
}

interface Paired {
  /** certdesk's req/s over bare's req/s, and bare's CPU per request over certdesk's, over the same slices. */
  rate: number;
  cpu: number | undefined;
  appRate: number;
  bareRate: number;
  appCpu: number | undefined;
  bareCpu: number | undefined;
  /** The lowest and highest req/s ratio of a single pair of slices: how far the machine moved. */
  pairRange: [number, number];
}

/** Issue 13's targets: every permission-checked read at a quarter of the bare route's req/s or more, GET /api/me at 5,000 req/s. */
const TARGET = 0.25;
const ME_TARGET = 5_000;
/** A deep cursor page's p99 within this factor of its first page's (issue 13). */
const DEEP_P99 = 1.2;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function logIn(appUrl: string, email: string): Promise<string> {
  const response = await fetch(`${appUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`log-in of ${email} failed: ${response.status} ${body}`);
  const cookie = response.headers.getSetCookie().find((line) => /certdesk_session=/.test(line));
  if (!cookie) throw new Error(`log-in of ${email} set no session cookie`);
  return cookie.split(";")[0]!;
}

/** An API key of the big team holding orders.view, created over HTTP by its Owner as a user would. */
async function createApiKey(appUrl: string, cookie: string, teamId: string): Promise<string> {
  const response = await fetch(`${appUrl}/api/teams/${teamId}/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-requested-with": "certdesk", cookie },
    body: JSON.stringify({ name: "bench", permissions: ["orders.view"] }),
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`creating an API key failed: ${response.status} ${body}`);
  return (JSON.parse(body) as { secret: string }).secret;
}

function run(url: string, request: BenchRequest, duration: number): Promise<AutocannonResult> {
  return autocannon({
    url: url + request.path,
    connections: CONNECTIONS,
    duration,
    method: request.method ?? "GET",
    headers: request.headers,
    body: request.body,
  });
}

function unexpectedStatuses(result: AutocannonResult, expected: number): string {
  const other = Object.entries(result.statusCodeStats)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, { count }]) => `${count}×${status}`);
  if (result.errors) other.push(`${result.errors} errors`);
  return other.join(", ");
}

const PAIRS = env("BENCH_PAIRS", 6);

/**
 * certdesk against the bare route in alternating one-second slices (bare, app, app, bare, …):
 * this machine's speed drifts by ±30 % within a minute, so numbers taken minutes apart cannot be
 * divided; slices side by side see the same machine.
 */
async function pairedRatio(app: Child, request: BenchRequest, bare: Child, bareRequest: BenchRequest): Promise<Paired> {
  const totals = { app: { requests: 0, seconds: 0, cpu: 0 }, bare: { requests: 0, seconds: 0, cpu: 0 } };
  let cpuKnown = true;
  const pairRatios: number[] = [];
  const slice = async (which: "app" | "bare"): Promise<number> => {
    const child = which === "app" ? app : bare;
    const before = cpuMicros(child.pid);
    const result = await run(child.url, which === "app" ? request : bareRequest, 1);
    const after = cpuMicros(child.pid);
    totals[which].requests += result.requests.total;
    totals[which].seconds += 1;
    if (before === undefined || after === undefined) cpuKnown = false;
    else totals[which].cpu += after - before;
    return result.requests.total;
  };
  await run(bare.url, bareRequest, 1); // warm-up
  for (let i = 0; i < PAIRS; i++) {
    const order: ("app" | "bare")[] = i % 2 === 0 ? ["bare", "app"] : ["app", "bare"];
    const counts = { app: 0, bare: 0 };
    for (const which of order) counts[which] = await slice(which);
    if (counts.bare > 0) pairRatios.push(counts.app / counts.bare);
  }
  const appRate = totals.app.requests / totals.app.seconds;
  const bareRate = totals.bare.requests / totals.bare.seconds;
  const appCpu = cpuKnown ? totals.app.cpu / totals.app.requests : undefined;
  const bareCpu = cpuKnown ? totals.bare.cpu / totals.bare.requests : undefined;
  const pairRange: [number, number] = [Math.min(...pairRatios), Math.max(...pairRatios)];
  return { rate: appRate / bareRate, cpu: appCpu && bareCpu ? bareCpu / appCpu : undefined, appRate, bareRate, appCpu, bareCpu, pairRange };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A deep cursor page's p99 against its first page's, in alternating one-second slices (first,
 * deep, deep, first, …) and the median of each side's slice p99s: two runs of 8 s minutes apart
 * see a different machine, and one stall of the machine decides a run's p99.
 */
async function pairedP99(app: Child, first: BenchRequest, deep: BenchRequest): Promise<{ first: number; deep: number }> {
  const p99s: { first: number[]; deep: number[] } = { first: [], deep: [] };
  for (let i = 0; i < PAIRS; i++) {
    const order: ("first" | "deep")[] = i % 2 === 0 ? ["first", "deep"] : ["deep", "first"];
    for (const which of order) p99s[which].push((await run(app.url, which === "first" ? first : deep, 1)).latency.p99);
  }
  return { first: median(p99s.first), deep: median(p99s.deep) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: Row[]): string {
  const lines = [
    "| scenario | req/s (mean) | p50 ms | p99 ms | non-2xx | server CPU µs/req | server RSS peak | notes |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const { scenario, result, cpuPerRequest, unexpected, rssPeak, background } of rows) {
    const notes = [scenario.notes, unexpected ? `unexpected: ${unexpected}` : "", background].filter(Boolean).join("; ");
    const rss = scenario.target === "app" ? `${fmt(rssPeak)} MiB` : "—";
    const cpu = cpuPerRequest === undefined ? "—" : fmt(cpuPerRequest);
    lines.push(
      `| ${scenario.name} | ${fmt(result.requests.average)} | ${fmt(result.latency.p50)} | ${fmt(result.latency.p99)} | ${fmt(result.non2xx)} | ${cpu} | ${rss} | ${notes} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:server\` (npm run bench does).`);
  const only = process.env.BENCH_ONLY;
  const scenarios = SCENARIOS.filter((s) => !only || s.target === "bare" || s.name.includes(only));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-bench-"));
  const database = await benchDatabase(dataDir);
  const databaseUrl = database.url;
  const children: Child[] = [];
  // Its DNS server answers certdesk's dns-01 lookups (DCV_DNS_SERVERS), so it starts first.
  const acme = await prepareAcmeBench();
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!.toFixed(1);
  try {
    log(`seeding ${fmt(MEMBERS)} members and ${fmt(ORDERS)} orders into ${databaseUrl}`);
    const data = await seed(databaseUrl, { members: MEMBERS, deepCursorAfter: DEEP_AFTER, orders: ORDERS });

    log("starting certdesk (dist/src/server/cli.js serve) and the bare Fastify server");
    const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined;
    const app = await Child.start(
      "certdesk",
      CLI,
      ["serve"],
      { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, RATE_LIMIT_SCALE: "100000", LOG_LEVEL: "warn", ...acme.env },
      "/api/me",
      profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
    );
    children.push(app);
    const bare = await Child.start("bare Fastify", BARE, [], {}, "/");
    children.push(bare);
    const rss = new RssSampler(app.pid);

    const cookies = { owner: await logIn(app.url, data.owner.email), installer: await logIn(app.url, data.installer.email) };
    const issuer = await (await fetch(`${app.url}/pki/issuing-ca.der`)).arrayBuffer();
    const ocspPath = ocspGetPath(issuer, data.knownSerial);
    const ctx: BenchContext = { data, appUrl: app.url, cookies, apiKey: await createApiKey(app.url, cookies.owner, data.teamId), ocspPath };
    const rssIdle = rss.take();

    const rows: Row[] = [];
    const bareScenario = scenarios.find((s) => s.target === "bare")!;
    for (const scenario of scenarios) {
      const child = scenario.target === "bare" ? bare : app;
      const request = scenario.request(ctx);
      log(`${scenario.name}: ${WARMUP}s warm-up, ${DURATION}s measured`);
      if (WARMUP > 0) await run(child.url, request, WARMUP);
      if (!app.alive) throw new Error(`certdesk exited:\n${app.tail()}`);
      rss.take();
      const background = scenario.background?.(ctx);
      const before = cpuMicros(child.pid);
      const result = await run(child.url, request, DURATION);
      const after = cpuMicros(child.pid);
      let paired: Paired | undefined;
      if (scenario.compareToBare) {
        log(`${scenario.name}: ${PAIRS} pairs of one-second slices against the bare route`);
        paired = await pairedRatio(app, request, bare, bareScenario.request(ctx));
      }
      let deepP99: Row["deepP99"];
      const firstPage = scenario.deepOf && SCENARIOS.find((s) => s.name === scenario.deepOf);
      if (firstPage) {
        log(`${scenario.name}: ${PAIRS} pairs of one-second slices against ${firstPage.name}`);
        deepP99 = await pairedP99(app, firstPage.request(ctx), request);
      }
      const backgroundNote = await background?.stop();
      const cpuPerRequest = before !== undefined && after !== undefined && result.requests.total > 0 ? (after - before) / result.requests.total : undefined;
      rows.push({ scenario, result, cpuPerRequest, paired, deepP99, unexpected: unexpectedStatuses(result, scenario.expectStatus), rssPeak: rss.take(), background: backgroundNote });
    }
    let acmeRun: { line: string; ok: boolean } | undefined;
    if (!only || "ACME issuances per second".includes(only)) {
      log("ACME issuances per second: acme-client clients in parallel (bench/acme.ts)");
      acmeRun = await acme.run({ appUrl: app.url, ownerCookie: cookies.owner, teamId: data.teamId });
    }
    rss.stop();
    const out: string[] = [];
    out.push(
      `certdesk bench — Node ${process.version}, ${os.cpus().length} CPUs, autocannon ${CONNECTIONS} connections, ` +
        `${DURATION}s per scenario after ${WARMUP}s warm-up; ${database.engine}, a team of ${fmt(MEMBERS)} members and ${fmt(ORDERS)} orders; ` +
        `load generator on the same machine; load average ${loadAtStart} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end ` +
        `(other work on the machine lowers every number alike: read the ratios).`,
    );
    out.push("");
    out.push(table(rows));
    out.push("");
    if (acmeRun) out.push(acmeRun.line, "");
    out.push(
      `Permission-checked reads against the bare route, in ${PAIRS} pairs of alternating one-second slices ` +
        `(req/s ratio; server CPU per request, bare ÷ certdesk):`,
    );
    for (const row of rows.filter((r) => r.paired)) {
      const p = row.paired!;
      const cpu = p.cpu !== undefined ? `; CPU ${fmt(100 * p.cpu, 1)} % (${fmt(p.appCpu!)} vs ${fmt(p.bareCpu!)} µs/request)` : "";
      const range = `single pairs ${fmt(100 * p.pairRange[0], 1)}–${fmt(100 * p.pairRange[1], 1)} %`;
      out.push(`- ${row.scenario.name}: ${fmt(100 * p.rate, 1)} % of bare (${fmt(p.appRate)} vs ${fmt(p.bareRate)} req/s; ${range})${cpu}`);
    }
    const below = rows.filter((r) => r.paired && r.paired.rate < TARGET).map((r) => r.scenario.name);
    out.push(
      below.length === 0
        ? `Target (every permission-checked read ≥ ${100 * TARGET} % of bare): met in this run.`
        : `Target (every permission-checked read ≥ ${100 * TARGET} % of bare): NOT met by ${below.join("; ")}.`,
    );
    const me = rows.find((r) => r.scenario.name === "GET /api/me");
    if (me) {
      const rate = me.paired?.appRate ?? me.result.requests.average;
      out.push(`GET /api/me at ${fmt(rate)} req/s: the ${fmt(ME_TARGET)} req/s target is ${rate >= ME_TARGET ? "met" : "NOT met"}.`);
    }
    for (const deep of rows.filter((r) => r.deepP99)) {
      const { first, deep: deepP99 } = deep.deepP99!;
      const ratio = deepP99 / Math.max(1, first);
      out.push(
        `${deep.scenario.name}: p99 ${fmt(deepP99)} ms against the first page's ${fmt(first)} ms, medians of ${PAIRS} interleaved ` +
          `one-second slices each (${fmt(ratio, 2)}×; the limit is ${DEEP_P99}×: ${ratio <= DEEP_P99 ? "met" : "NOT met"}).`,
      );
    }
    out.push("");
    out.push(
      `Server RSS (VmRSS): ${fmt(rss.first ?? 0)} MiB after start, ${fmt(rssIdle)} MiB after log-ins, ` +
        `peak ${fmt(rss.peak)} MiB, ${fmt(rss.last ?? 0)} MiB at the end.`,
    );
    out.push(`Total bench time ${fmt((Date.now() - started) / 1000)} s (without the build).`);
    if (database.engine === "PostgreSQL") {
      log("EXPLAIN (ANALYZE, BUFFERS) of the hot queries");
      out.push("", await hotQueryPlans(databaseUrl, data));
    }
    console.log(out.join("\n"));
    const bad = rows.filter((r) => r.unexpected);
    if (bad.length || (acmeRun && !acmeRun.ok)) process.exitCode = 1;
  } finally {
    await acme.close();
    for (const child of children) await child.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
