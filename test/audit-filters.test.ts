// The readable audit log's server side (issue 14) on both engines: GET …/audit narrowed by actor,
// action (or a family of actions) and a time range with its keyset pagination kept, and the CSV
// export GET …/audit.csv: the same filters, streamed page by page (a log written to meanwhile
// neither repeats nor skips rows), every cell quoted, formula-looking cells defused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "../src/server/clock.js";
import { auditCsv, csvCell } from "../src/server/queries/audit-csv.js";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { createTeam, inviteAndAccept } from "./helpers/fixtures.js";

/** Between steps: well inside the session's idle timeout. */
const STEP = 20 * MINUTE;

interface Item {
  id: string;
  at: string;
  actor: { id: string; email: string } | null;
  action: string;
}

/** A CSV body parsed the simple way its writer allows: every cell quoted, CRLF between rows. */
function parseCsv(body: string): string[][] {
  return body
    .split("\r\n")
    .filter((line) => line !== "")
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)].map((m) => m[1]!.replace(/""/g, '"')));
}

describe.each(ENGINES)("audit filters and CSV on %s", (engine) => {
  let h: TestApp;
  let ada: SignedIn;
  let bob: SignedIn;
  let teamId: string;
  let start: string;
  let middle: string;
  const injected = `=1+2.${engine}@example.com`;

  beforeAll(async () => {
    h = await createTestApp(engine);
    ada = await h.signUp("Ada Filters");
    bob = await h.signUp("Bob Filters");
    start = h.clock.now().toISOString();
    teamId = await createTeam(ada.client, "Filtered");
    h.clock.advance(STEP);
    await inviteAndAccept(h, ada.client, teamId, bob, ["account_admin"]);
    h.clock.advance(STEP);
    middle = h.clock.now().toISOString();
    for (const name of ["Filtered Ltd", "Filtered GmbH", "Filtered SA"]) {
      h.clock.advance(60_000);
      expect((await bob.client.patch(`/api/teams/${teamId}`, { name })).statusCode).toBe(200);
    }
    h.clock.advance(STEP);
    const sent = await ada.client.post(`/api/teams/${teamId}/invitations`, { email: injected, roles: ["billing"] });
    expect(sent.statusCode, sent.body).toBe(201);
  });
  afterAll(() => h.close());

  async function list(query: string, limit = 100): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const response = await ada.client.get(`/api/teams/${teamId}/audit?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode, response.body).toBe(200);
      items.push(...response.json().items);
      cursor = response.json().nextCursor;
    } while (cursor);
    return items;
  }

  it("filters by actor, keeping the keyset pages", async () => {
    const all = await list("");
    const byBob = await list(`&actor=${bob.user.id}`, 1);
    expect(byBob.map((i) => i.action)).toEqual(["team.renamed", "team.renamed", "team.renamed", "invitation.accepted"]);
    expect(byBob.every((i) => i.actor?.id === bob.user.id)).toBe(true);
    expect(new Set(byBob.map((i) => i.id)).size).toBe(4);
    expect(all.length).toBeGreaterThan(byBob.length);
  });

  it("filters by one action or by a family of them", async () => {
    expect((await list("&action=team.renamed", 2)).map((i) => i.action)).toEqual(["team.renamed", "team.renamed", "team.renamed"]);
    const invitations = await list("&action=invitation");
    expect(invitations.map((i) => i.action)).toEqual(["invitation.sent", "invitation.accepted", "invitation.sent"]);
    // "team" is not a prefix of "teammate…": the family ends at the dot.
    expect((await list("&action=team")).map((i) => i.action).sort()).toEqual(["team.created", "team.renamed", "team.renamed", "team.renamed"]);
    expect(await list("&action=nothing_like_this")).toEqual([]);
  });

  it("filters by a time range: from inclusive, to exclusive, combined with the others", async () => {
    const before = await list(`&to=${encodeURIComponent(middle)}`);
    expect(before.map((i) => i.action).sort()).toEqual(["invitation.accepted", "invitation.sent", "team.created"]);
    const after = await list(`&from=${encodeURIComponent(middle)}`);
    expect(after.map((i) => i.action)).toEqual(["invitation.sent", "team.renamed", "team.renamed", "team.renamed"]);
    const window = await list(`&from=${encodeURIComponent(start)}&to=${encodeURIComponent(middle)}&actor=${ada.user.id}&action=invitation`);
    expect(window.map((i) => i.action)).toEqual(["invitation.sent"]);
  });

  it("answers 400 invalid_request, not 500, to filters outside the grammar", async () => {
    for (const query of ["actor=nobody", "action=Order!", "action=a.b.c", "from=yesterday", "to=2026-13-45", "colour=red"]) {
      for (const path of ["audit", "audit.csv"]) {
        const response = await ada.client.get(`/api/teams/${teamId}/${path}?${query}`);
        expect([response.statusCode, response.json().code], `${path}?${query}`).toEqual([400, "invalid_request"]);
      }
    }
  });

  it("exports CSV with the same filters, as an attachment, formula cells defused", async () => {
    const response = await ada.client.get(`/api/teams/${teamId}/audit.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers["content-disposition"]).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual(["time", "actor_type", "actor_id", "actor_email", "action", "target", "details"]);
    const all = await list("");
    expect(rows.slice(1).map((r) => r[4])).toEqual(all.map((i) => i.action));
    // The invited address is user input that starts with "=": a quote keeps it text.
    const invited = rows.find((r) => r[4] === "invitation.sent" && r[5]!.includes("1+2"))!;
    expect(invited[5]).toBe(`'${injected}`);
    expect(response.body).not.toMatch(/(^|,)"=/m);

    const filtered = parseCsv((await ada.client.get(`/api/teams/${teamId}/audit.csv?actor=${bob.user.id}&action=team`)).body);
    expect(filtered.slice(1).map((r) => [r[3], r[4]])).toEqual(Array(3).fill([bob.user.email, "team.renamed"]));
  });

  it("is refused to a member without audit.view and to another team's member", async () => {
    const carol = await h.signUp("Carol Filters");
    await inviteAndAccept(h, ada.client, teamId, carol, ["installer"]);
    const denied = await carol.client.get(`/api/teams/${teamId}/audit.csv`);
    expect([denied.statusCode, denied.json().code]).toEqual([403, "forbidden"]);
    const outsider = await h.signUp("Dan Filters");
    expect((await outsider.client.get(`/api/teams/${teamId}/audit.csv`)).statusCode).toBe(404);
  });

  it("streams in pages: rows written while it streams neither repeat nor shift what follows", async () => {
    const expected = (await list("")).map((i) => i.id);
    const seen: string[] = [];
    let chunks = 0;
    for await (const chunk of auditCsv(h.t.db.kysely, teamId, {}, 2)) {
      chunks += 1;
      if (chunks === 1) continue; // the header
      seen.push(...parseCsv(chunk).map(() => ""));
      if (chunks === 2) {
        h.clock.advance(1000);
        expect((await ada.client.patch(`/api/teams/${teamId}`, { name: `Renamed while streaming ${engine}` })).statusCode).toBe(200);
      }
    }
    // One read per page of two, and every row of the log as it was when the stream began.
    expect(chunks).toBe(1 + Math.ceil(expected.length / 2));
    expect(seen).toHaveLength(expected.length);
  });

  it("quotes every cell and defuses each formula prefix", () => {
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    for (const prefix of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${prefix}SUM(A1)`)).toBe(`"'${prefix}SUM(A1)"`);
    expect(csvCell("a=b")).toBe('"a=b"');
  });
});
