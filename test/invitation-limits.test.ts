// SECURITY 17: invitations are rate-limited per client address (HTTP), per inviter and per team.
import { describe, expect, it } from "vitest";
import { HOUR, ManualClock } from "../src/server/clock.js";
import { AppError } from "../src/server/errors.js";
import { WindowCounter } from "../src/server/plugins/limits.js";
import { createTestApp } from "./helpers/app.js";

describe("invitation rate limits", () => {
  it("answers 429 rate_limited with Retry-After once an address has sent its share", async () => {
    // RATE_LIMIT_SCALE 0.05: 100 invitations an hour per address become 5.
    const h = await createTestApp("sqlite", { RATE_LIMIT_SCALE: "0.05" });
    try {
      const ada = await h.signUp("Ada");
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email: `limit${i}@example.com`, roles: ["billing"] });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) {
          expect(response.json().code).toBe("rate_limited");
          expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      const stored = await h.t.db.kysely.selectFrom("invitations").select("id").execute();
      expect(stored).toHaveLength(5);
    } finally {
      await h.close();
    }
  });

  it("counts each inviter and each team on its own, and starts afresh after the window", () => {
    const clock = new ManualClock();
    const perInviter = new WindowCounter(clock, 2, HOUR);
    perInviter.take("ada", "invitations from you");
    perInviter.take("ada", "invitations from you");
    let refused: unknown;
    try {
      perInviter.take("ada", "invitations from you");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("rate_limited");
    expect((refused as AppError).extra.retryAfterSeconds).toBe(3600);
    expect(() => perInviter.take("bob", "invitations from you")).not.toThrow();
    clock.advance(HOUR);
    expect(() => perInviter.take("ada", "invitations from you")).not.toThrow();
  });
});
