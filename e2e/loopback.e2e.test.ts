// Issue 14: the address `certdesk serve` prints works. With BASE_URL left at its default the server
// names http://localhost:PORT, yet people open the 127.0.0.1 address it listens on (or copy it from
// the log); both spellings must sign up, not fail with "Requests from … are not accepted". The
// server is started here exactly as `npm start` does on a laptop: no BASE_URL.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, launchChromium, newUserContext, signUp, startCertdesk, teamButton } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const PRINTED = /certdesk is running: open (\S+) \(listening on (\S+)\)/;

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let printed: { open: URL; listening: URL } | undefined;

/** The two addresses the server printed on stdout once it was up. */
async function printedAddresses(server: Certdesk): Promise<{ open: URL; listening: URL }> {
  const deadline = Date.now() + POLL.timeout;
  for (;;) {
    const match = server.log().match(PRINTED);
    if (match) return { open: new URL(match[1]!), listening: new URL(match[2]!) };
    if (Date.now() > deadline) throw new Error(`certdesk printed no "certdesk is running: open …" line:\n${server.log()}`);
    await new Promise((r) => setTimeout(r, POLL.interval));
  }
}

/** Signs a new person up through the form at `origin` and answers once the dashboard shows their team. */
async function signUpAt(origin: string, user: { name: string; email: string; password: string }) {
  const context = await newUserContext(browser!, origin);
  const page = await context.newPage();
  const refusals: string[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/api/") && response.status() === 403) refusals.push(`${response.request().method()} ${response.url()}`);
  });
  await page.goto("/signup");
  await page.getByRole("heading", { level: 1 }).waitFor();
  await expectAccessible(page, `sign-up at ${origin}`);
  await signUp(page, user);
  await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
  await teamButton(page).waitFor();
  await page.getByRole("heading", { level: 1, name: `${user.name}'s team` }).waitFor();
  expect(new URL(page.url()).origin).toBe(origin);
  expect(await page.getByText(/are not accepted/).count()).toBe(0);
  expect(refusals).toEqual([]);
  await context.close();
}

describe("the address certdesk prints, with BASE_URL at its default", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk({ defaultBaseUrl: true });
    browser = await launchChromium();
    printed = await printedAddresses(certdesk);
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("prints the localhost address to open and the 127.0.0.1 address it listens on", () => {
    expect(printed!.open.hostname).toBe("localhost");
    expect(printed!.listening.hostname).toBe("127.0.0.1");
    expect(printed!.open.port).toBe(printed!.listening.port);
    expect(printed!.listening.origin).toBe(certdesk!.baseUrl);
  });

  it("signs up through the form at http://127.0.0.1:PORT and lands in the dashboard", async () => {
    await signUpAt(`http://127.0.0.1:${printed!.listening.port}`, { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" });
  }, 30_000);

  it("signs up through the form at http://localhost:PORT too", async () => {
    await signUpAt(printed!.open.origin, { name: "Grace Hopper", email: "grace@example.com", password: "cobol-and-nanoseconds" });
  }, 30_000);
});
