// What `npm run bench` measures: one entry per row of the table. To add a scenario (e.g. the
// certificate account's GET /api/teams/:teamId/orders on a team with 10,000 orders), seed its
// data in seed.ts (BenchData) and append an entry here; run.ts needs no change.
import type { BenchData } from "./seed.js";
import { PASSWORD } from "./seed.js";

export interface BenchContext {
  data: BenchData;
  /** Session cookies of the real accounts, from logging in over HTTP. */
  cookies: { owner: string; installer: string };
  /** An API key of the big team holding orders.view. */
  apiKey: string;
  appUrl: string;
  /** GET path of an OCSP request for data.knownSerial (bench/ocsp-request.ts). */
  ocspPath: string;
}

export interface BenchRequest {
  path: string;
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
}

/** Work running beside the load (e.g. writes), reporting what it did when stopped. */
export interface Background {
  stop(): Promise<string>;
}

export interface Scenario {
  name: string;
  /** The bare Fastify route (the ceiling) or certdesk. */
  target: "bare" | "app";
  request(ctx: BenchContext): BenchRequest;
  /** Every answer should have this status; others are counted and reported. */
  expectStatus: number;
  /** Shown as "x % of bare" under the table: a permission-checked read against the ceiling. */
  compareToBare?: boolean;
  notes?: string;
  background?(ctx: BenchContext): Background;
  /** A deep cursor page: the name of its first page's scenario, whose p99 it is held to. */
  deepOf?: string;
}

/** Sign-ups one after another, at most `perSecond`, until stopped; counts what completed. */
function signUpLoop(ctx: BenchContext, perSecond: number): Background {
  let stopped = false;
  let created = 0;
  let failed = 0;
  const statuses = new Map<number, number>();
  const loop = (async () => {
    for (let i = 0; !stopped; i += 1) {
      const started = Date.now();
      try {
        const response = await fetch(`${ctx.appUrl}/api/auth/signup`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `signup.${process.pid}.${i}@bench.example.com`, password: PASSWORD, name: `Signup ${i}` }),
        });
        await response.arrayBuffer();
        if (response.status === 201) created += 1;
        else {
          failed += 1;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      } catch {
        failed += 1;
      }
      const wait = 1000 / perSecond - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  const since = Date.now();
  return {
    async stop() {
      stopped = true;
      await loop;
      const seconds = (Date.now() - since) / 1000;
      const other = [...statuses].map(([status, n]) => `${n}×${status}`).join(", ");
      return `${created} sign-ups completed in background (${(created / seconds).toFixed(1)}/s, target ${perSecond}/s)${failed ? `, ${failed} failed${other ? ` (${other})` : ""}` : ""}`;
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: "bare Fastify route (ceiling)",
    target: "bare",
    request: () => ({ path: "/" }),
    expectStatus: 200,
    notes: "one JSON route, no plugins",
  },
  {
    name: "GET /api/me",
    target: "app",
    request: (ctx) => ({ path: "/api/me", headers: { cookie: ctx.cookies.owner } }),
    expectStatus: 200,
    compareToBare: true,
    notes: "session lookup + user + teams",
  },
  {
    name: "GET /api/teams/:teamId",
    target: "app",
    request: (ctx) => ({ path: `/api/teams/${ctx.data.teamId}`, headers: { cookie: ctx.cookies.owner } }),
    expectStatus: 200,
    compareToBare: true,
    notes: "team.view; Owner and member count (kept by triggers: the same cost for any team size)",
  },
  {
    name: "GET members?limit=50 (first page)",
    target: "app",
    request: (ctx) => ({ path: `/api/teams/${ctx.data.teamId}/members?limit=50`, headers: { cookie: ctx.cookies.owner } }),
    expectStatus: 200,
    compareToBare: true,
    notes: "team.view on the big team",
  },
  {
    name: "GET members?limit=50 (deep cursor)",
    target: "app",
    request: (ctx) => ({
      path: `/api/teams/${ctx.data.teamId}/members?limit=50&cursor=${ctx.data.deepCursor}`,
      headers: { cookie: ctx.cookies.owner },
    }),
    expectStatus: 200,
    compareToBare: true,
    notes: "after 90 % of the members",
    deepOf: "GET members?limit=50 (first page)",
  },
  {
    name: "GET orders?limit=50 (first page)",
    target: "app",
    request: (ctx) => ({ path: `/api/teams/${ctx.data.teamId}/orders?limit=50`, headers: { cookie: ctx.cookies.owner } }),
    expectStatus: 200,
    compareToBare: true,
    notes: "orders.view on a team of BENCH_ORDERS orders, 2 domains each",
  },
  {
    name: "GET orders?limit=50 with an API key",
    target: "app",
    request: (ctx) => ({ path: `/api/teams/${ctx.data.teamId}/orders?limit=50`, headers: { authorization: `Bearer ${ctx.apiKey}` } }),
    expectStatus: 200,
    compareToBare: true,
    notes: "the first page again, as a key (bearer lookup, its own budget) instead of a session",
  },
  {
    name: "GET orders?limit=50 (deep cursor)",
    target: "app",
    request: (ctx) => ({
      path: `/api/teams/${ctx.data.teamId}/orders?limit=50&cursor=${ctx.data.deepOrdersCursor}`,
      headers: { cookie: ctx.cookies.owner },
    }),
    expectStatus: 200,
    compareToBare: true,
    notes: "after 90 % of the orders",
    deepOf: "GET orders?limit=50 (first page)",
  },
  {
    name: "GET audit as installer (denied)",
    target: "app",
    request: (ctx) => ({ path: `/api/teams/${ctx.data.teamId}/audit`, headers: { cookie: ctx.cookies.installer } }),
    expectStatus: 403,
    compareToBare: true,
    notes: "403 forbidden expected",
  },
  {
    name: "GET /api/me + sign-ups in background",
    target: "app",
    request: (ctx) => ({ path: "/api/me", headers: { cookie: ctx.cookies.owner } }),
    expectStatus: 200,
    compareToBare: true,
    background: (ctx) => signUpLoop(ctx, 5),
  },
  {
    name: "OCSP GET for a known serial",
    target: "app",
    request: (ctx) => ({ path: ctx.ocspPath }),
    expectStatus: 200,
    notes: "a signed good answer (ECDSA P-256) per request; public, no session",
  },
];
