// axe-core inside the browser tests: every page and dialog state a test reaches is checked, and a
// serious or critical violation fails the test with what axe found (rule, impact, the nodes).
//
// The dashboard's CSP is `script-src 'self'`, so a <script> tag with axe's source is refused. The
// source is evaluated through the DevTools protocol instead (page.evaluate), which the page's CSP
// does not govern: the server's CSP stays as strict as in production.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import type { AxeResults, Result } from "axe-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The impacts that fail a test. Moderate and minor ones are reported by axe but left to review. */
const FAILING = new Set(["serious", "critical"]);

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/** Runs axe on the page as it is now and answers its serious and critical violations. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }).axe.run(document, {
      resultTypes: ["violations"],
    }),
  )) as AxeResults;
  return results.violations
    .filter((v: Result) => FAILING.has(v.impact ?? ""))
    .map((v: Result) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`),
    }));
}

/** Fails, naming `label`, when the page has any serious or critical accessibility violation. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  // Let a dialog's or a page's entrance settle: axe reads colours as painted.
  await page.waitForLoadState("networkidle").catch(() => undefined);
  // Finite animations (a dialog's or a toast's entrance, which a screenshot's style restarts) run to
  // their end first; endless ones (spinners) are left alone.
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
    await Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 2000))]);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  const found = await axeViolations(page);
  if (found.length === 0) return;
  const lines = found.flatMap((v) => [`${v.id} (${v.impact}): ${v.help}`, ...v.nodes.map((n) => `    ${n}`)]);
  throw new Error(`axe found ${found.length} serious or critical violation(s) on "${label}" (${new URL(page.url()).pathname}):\n${lines.join("\n")}`);
}
