import { describe, expect, it } from "vitest";
import { apiKeyStatus, expiryFor, grantable } from "./words";

const NOW = new Date(2026, 11, 1, 12, 0, 0);

describe("API key words", () => {
  it("offers only the caller's own permissions, never deleting or transferring the team", () => {
    expect(grantable(["orders.view", "team.delete", "team.transfer", "billing.view"])).toEqual(["orders.view", "billing.view"]);
    expect(grantable([])).toEqual([]);
  });

  it("tells active, expired and revoked keys apart", () => {
    const now = NOW.getTime();
    expect(apiKeyStatus({ expiresAt: null, revokedAt: null }, now)).toBe("active");
    expect(apiKeyStatus({ expiresAt: new Date(now + 1000).toISOString(), revokedAt: null }, now)).toBe("active");
    expect(apiKeyStatus({ expiresAt: new Date(now - 1000).toISOString(), revokedAt: null }, now)).toBe("expired");
    expect(apiKeyStatus({ expiresAt: new Date(now - 1000).toISOString(), revokedAt: new Date(now - 5000).toISOString() }, now)).toBe("revoked");
  });

  it("turns an expiry choice into the time to send, or an error in words", () => {
    expect(expiryFor("never", "", NOW)).toEqual({ expiresAt: null });
    expect(expiryFor("30", "", NOW)).toEqual({ expiresAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString() });
    expect(expiryFor("date", "2027-01-15", NOW)).toEqual({ expiresAt: new Date(2027, 0, 15, 23, 59, 59).toISOString() });
    expect(expiryFor("date", "", NOW)).toEqual({ error: "Choose the day the key stops working." });
    expect(expiryFor("date", "2026-11-30", NOW)).toEqual({ error: "Choose a day in the future." });
    expect(expiryFor("date", "2032-01-01", NOW)).toEqual({ error: "A key can last at most 5 years; choose an earlier day." });
  });
});
