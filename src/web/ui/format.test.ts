import { describe, expect, it } from "vitest";
import { formatBytes, formatMoney } from "./format";

describe("formats", () => {
  it("formats minor units in the currency's own number of decimals", () => {
    expect(formatMoney(4900, "USD")).toMatch(/49[.,]00/);
    expect(formatMoney(4900, "JPY")).toMatch(/4[,.\s]?900/);
    expect(formatMoney(4900, "JPY")).not.toMatch(/49[.,]00/);
    expect(formatMoney(123, "XXY")).toMatch(/1[.,]23/);
  });

  it("formats file sizes", () => {
    expect(formatBytes(77)).toBe("77 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(10 * 1024 * 1024)).toBe("10 MB");
  });
});
