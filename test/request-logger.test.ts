// The per-request logger (plugins/logging.ts): pino's child is made only for a line that is written.
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { lazyChildLogger } from "../src/server/plugins/logging.js";

function parentAt(level: string) {
  const lines: Record<string, unknown>[] = [];
  const parent = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { parent, lines, child: vi.spyOn(parent, "child") };
}

describe("the per-request logger", () => {
  it("makes no child for lines below the level, and one child, with the request id, for lines above it", () => {
    const { parent, lines, child } = parentAt("warn");
    const log = lazyChildLogger(parent, { reqId: "r-1" }, {});
    log.info({ event: "ignored" }, "not written");
    log.debug("not written either");
    expect(child).not.toHaveBeenCalled();
    log.warn({ event: "kept" }, "written");
    log.error("also written");
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([
      ["r-1", "written"],
      ["r-1", "also written"],
    ]);
    expect(log.level).toBe("warn");
  });

  it("writes everything through one child at level trace, and makes grandchildren from it", () => {
    const { parent, lines } = parentAt("trace");
    const log = lazyChildLogger(parent, { reqId: "r-2" }, {});
    log.trace("a");
    log.info({ actor: "u" }, "b");
    log.child({ part: "x" }, {}).info("c");
    expect(lines.map((line) => [line.reqId, line.msg, line.actor ?? line.part ?? null])).toEqual([
      ["r-2", "a", null],
      ["r-2", "b", "u"],
      ["r-2", "c", "x"],
    ]);
  });
});
