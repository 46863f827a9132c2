import { describe, expect, it } from "vitest";
import { daysLeftText, placedByText } from "./words";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const HOUR = 3_600_000;

describe("daysLeftText (the orders list's Expires column)", () => {
  it("counts whole days left, rounded up, so the last day is 1 day left", () => {
    expect(daysLeftText({ notAfter: new Date(NOW + 200 * 24 * HOUR - 1000).toISOString(), revokedAt: null }, NOW)).toBe("200 days left");
    expect(daysLeftText({ notAfter: new Date(NOW + 25 * HOUR).toISOString(), revokedAt: null }, NOW)).toBe("2 days left");
    expect(daysLeftText({ notAfter: new Date(NOW + HOUR).toISOString(), revokedAt: null }, NOW)).toBe("1 day left");
  });

  it("says Ended once notAfter has passed and Revoked for a revoked certificate", () => {
    expect(daysLeftText({ notAfter: new Date(NOW).toISOString(), revokedAt: null }, NOW)).toBe("Ended");
    expect(daysLeftText({ notAfter: new Date(NOW + 10 * 24 * HOUR).toISOString(), revokedAt: new Date(NOW).toISOString() }, NOW)).toBe("Revoked");
  });
});

describe("placedByText (who placed an order)", () => {
  it("names a person, an API key's creator, or an ACME account with its credential and that credential's creator", () => {
    expect(placedByText({ placedBy: { type: "user", id: "u", email: "ada@example.com" }, acmeCredential: null })).toBe("ada@example.com");
    expect(placedByText({ placedBy: { type: "apiKey", id: "k", email: "ada@example.com" }, acmeCredential: null })).toBe("An API key of ada@example.com");
    const account = { type: "acmeAccount" as const, id: "0190f3a2-7c1d-7000-8000-00000000abcd", email: "ada@example.com" };
    expect(placedByText({ placedBy: account, acmeCredential: { id: "c", name: "Web servers" } })).toBe("ACME account 0000ABCD (credential “Web servers”, created by ada@example.com)");
    expect(placedByText({ placedBy: account, acmeCredential: null })).toBe("ACME account 0000ABCD (created by ada@example.com)");
  });
});
