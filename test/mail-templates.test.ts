// The e-mail templates: plain words, the expiry in UTC, and every user-supplied value escaped.
import { describe, expect, it } from "vitest";
import { escapeHtml, formatUtc, oneLine } from "../src/server/mail/layout.js";
import { invitationEmail, passwordResetEmail } from "../src/server/mail/templates.js";

const link = "https://certdesk.example.com/invitations/AbC-123_xyz";

function invitation(overrides: Partial<Parameters<typeof invitationEmail>[0]> = {}) {
  return invitationEmail({
    to: "invitee@example.com",
    teamName: "Web Ops",
    inviterName: "Ada Lovelace",
    inviterEmail: "ada@example.com",
    roles: ["installer", "account_admin"],
    expiresAt: new Date("2026-11-29T14:05:59.999Z"),
    link,
    ...overrides,
  });
}

describe("invitation e-mail", () => {
  it("names the team, the inviter, the roles in plain words with what they allow, the expiry and the link", () => {
    const email = invitation();
    expect(email.to).toBe("invitee@example.com");
    expect(email.subject).toBe("Ada Lovelace invited you to join Web Ops on certdesk");
    for (const body of [email.text, email.html]) {
      expect(body).toContain("Web Ops");
      expect(body).toContain("Ada Lovelace");
      expect(body).toContain("ada@example.com");
      expect(body).toContain("Account Admin");
      expect(body).toContain("Installer");
      expect(body).toContain("Everything except deleting the team or changing its Owner.");
      expect(body).toContain("Certificate requests (CSRs), downloads and reissues.");
      expect(body).toContain("Sunday, 29 November 2026 at 14:05 UTC");
      expect(body).not.toMatch(/account_admin|installer\b/);
      expect(body).not.toMatch(/Billing|Validation/);
    }
    expect(email.text).toContain("with the roles Account Admin and Installer.");
    expect(email.text).toContain(`\n${link}\n`);
    // A button and the raw address.
    expect(email.html.split(`href="${link}"`)).toHaveLength(3);
    expect(email.html).toContain(`>${link}</a>`);
  });

  it("describes every role", () => {
    const email = invitation({ roles: ["validation", "billing", "installer", "account_admin"] });
    expect(email.text).toContain("with the roles Account Admin, Billing, Validation and Installer.");
    expect(email.text).toContain("Billing: Orders, transactions, billing profiles and refunds.");
    expect(email.text).toContain("Validation: Validation documents and domain-control steps.");
    expect(email.text).toContain("Installer: Certificate requests (CSRs), downloads and reissues.");
    expect(invitation({ roles: ["billing"] }).text).toContain("with the role Billing.");
  });

  it("escapes a team name, an inviter and a link that hold HTML", () => {
    const email = invitation({
      teamName: `<script>alert("x")</script> & Co`,
      inviterName: `Eve <img src=x onerror=alert(1)>`,
      inviterEmail: `eve"@example.com`,
      link: `https://certdesk.example.com/invitations/a"><script>b</script>`,
    });
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<img");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(email.html).toContain("Eve &lt;img src=x onerror=alert(1)&gt;");
    expect(email.html).toContain(`mailto:eve&quot;@example.com`);
    expect(email.html).toContain(`href="https://certdesk.example.com/invitations/a&quot;&gt;&lt;script&gt;b&lt;/script&gt;"`);
    // The plain text keeps the words as they are.
    expect(email.text).toContain(`<script>alert("x")</script> & Co`);
  });

  it("keeps user input on one line in the subject and the text", () => {
    const email = invitation({ teamName: "Evil\r\nBcc: victim@example.com\n\tTeam", inviterName: "Mallory\u2028X" });
    expect(email.subject).toBe("Mallory X invited you to join Evil Bcc: victim@example.com Team on certdesk");
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain(`the team "Evil Bcc: victim@example.com Team"`);
  });
});

describe("password reset e-mail", () => {
  it("greets by name and gives the link and its expiry in an hour", () => {
    const email = passwordResetEmail({
      to: "grace@example.com",
      name: "Grace <Hopper>",
      link: "https://certdesk.example.com/reset-password/tok_en-1",
      expiresAt: new Date("2026-03-01T10:00:00Z"),
    });
    expect(email.to).toBe("grace@example.com");
    expect(email.subject).toBe("Reset your certdesk password");
    expect(email.text).toMatch(/^Hello Grace <Hopper>,\n/);
    expect(email.html).toContain("Hello Grace &lt;Hopper&gt;,");
    for (const body of [email.text, email.html]) {
      expect(body).toContain("https://certdesk.example.com/reset-password/tok_en-1");
      expect(body).toContain("1 hour");
      expect(body).toContain("Sunday, 1 March 2026 at 10:00 UTC");
    }
  });
});

describe("helpers", () => {
  it("escapes the five HTML characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  it("formats UTC times the same whatever the process's time zone", () => {
    expect(formatUtc(new Date("2026-01-05T00:00:00Z"))).toBe("Monday, 5 January 2026 at 00:00 UTC");
    expect(formatUtc(new Date("2026-12-31T23:59:30Z"))).toBe("Thursday, 31 December 2026 at 23:59 UTC");
  });

  it("flattens control characters", () => {
    expect(oneLine("  a\r\n\tb\u0000c  ")).toBe("a b c");
  });
});
