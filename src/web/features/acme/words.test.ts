import { describe, expect, it } from "vitest";
import { certbotCommand, certbotDnsCommand, credentialStatus, legoCommand, shortThumbprint } from "./words";

const BINDING = { directoryUrl: "https://certdesk.example/acme/directory", keyId: "kid_123", hmacKey: "hmac-key_456" };

describe("ACME words", () => {
  it("builds the certbot and lego commands with the directory, key id and HMAC key", () => {
    expect(certbotCommand(BINDING)).toBe(
      "certbot certonly --server https://certdesk.example/acme/directory --eab-kid kid_123 --eab-hmac-key hmac-key_456 --standalone -d example.com",
    );
    expect(certbotDnsCommand(BINDING)).toContain("--manual --preferred-challenges dns");
    expect(certbotDnsCommand(BINDING)).toContain("--eab-kid kid_123 --eab-hmac-key hmac-key_456");
    expect(legoCommand(BINDING)).toBe(
      "lego --server https://certdesk.example/acme/directory --eab --kid kid_123 --hmac hmac-key_456 --email you@example.com --domains example.com --http run",
    );
  });

  it("tells active and revoked credentials apart, and shortens long thumbprints", () => {
    expect(credentialStatus({ revokedAt: null })).toBe("active");
    expect(credentialStatus({ revokedAt: "2026-12-01T00:00:00.000Z" })).toBe("revoked");
    expect(shortThumbprint("abcdefghijklmnopqrstuvwxyz")).toBe("abcdefghijkl…");
    expect(shortThumbprint("short")).toBe("short");
  });
});
