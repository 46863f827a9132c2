// Secret tokens travel in a few paths (e-mailed links); the logged URL never holds one.
import { describe, expect, it } from "vitest";
import { redactUrl } from "../src/server/plugins/logging.js";

describe("redactUrl", () => {
  it("cuts the token out of every e-mailed link's path, page or API, and keeps team-side ids", () => {
    const token = "Vd8k2mQ_x-4rT0aZ9bC1dE2fG3hI4jK5lM6nO7pQ8rS";
    for (const [url, expected] of [
      [`/api/invitations/${token}/accept`, "/api/invitations/[redacted]/accept"],
      [`/invitations/${token}`, "/invitations/[redacted]"],
      [`/reset-password/${token}?x=1`, "/reset-password/[redacted]?x=1"],
      [`/api/domain-approvals/${token}`, "/api/domain-approvals/[redacted]"],
      [`/domain-approvals/${token}`, "/domain-approvals/[redacted]"],
    ]) expect(redactUrl(url!)).toBe(expected);
    const id = "01a233a9-65de-7293-836f-4180f3933d16";
    expect(redactUrl(`/api/teams/${id}/invitations/${id}/resend`)).toBe(`/api/teams/${id}/invitations/${id}/resend`);
  });
});
