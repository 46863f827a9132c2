import { describe, expect, it } from "vitest";
import { durationInWords } from "./settings";

describe("durationInWords", () => {
  it("says an invitation lifetime as a person would", () => {
    expect(durationInWords(72)).toBe("72 hours");
    expect(durationInWords(36)).toBe("36 hours");
    expect(durationInWords(1)).toBe("1 hour");
    expect(durationInWords(168)).toBe("7 days");
    expect(durationInWords(48)).toBe("48 hours");
    expect(durationInWords(96)).toBe("4 days");
    expect(durationInWords(0.5)).toBe("30 minutes");
    expect(durationInWords(0.001)).toBe("1 minute");
    expect(durationInWords(1.5)).toBe("1.5 hours");
  });
});
