// The e-mail grammar, the name rule, the terminal escaping and the password rules as functions
// (SECURITY 26, 27, 1). test/input-grammar.test.ts walks the same rules through the HTTP API.
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { canonicalEmail, canonicalEmailOrNull } from "./email.js";
import { canonicalName, escapeForTerminal } from "./names.js";
import { passwordProblem } from "./passwords.js";
import { knownScripts, mixesScripts, scriptOf, scriptsOf } from "./scripts.js";

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("canonicalEmail", () => {
  it.each([
    ["Ada@Example.COM", "ada@example.com"],
    ["  ada@example.com\t", "ada@example.com"],
    ["ada@bücher.example", "ada@xn--bcher-kva.example"],
    ["ada@BÜCHER.example", "ada@xn--bcher-kva.example"],
    ["ada@bu\u0308cher.example", "ada@xn--bcher-kva.example"], // NFD
    ["ada@XN--BCHER-KVA.example", "ada@xn--bcher-kva.example"],
    ["ada@faß.de", "ada@xn--fa-hia.de"],
    ["ada@日本語ドメイン.jp", "ada@xn--eckwd4c7c5976acvb2w6i.jp"], // Han + Katakana: one Japanese name
    ["ada@пример.рф", "ada@xn--e1afmkfd.xn--p1ai"],
    ["o'brien+tag@example.co.uk", "o'brien+tag@example.co.uk"],
    ["a.b-c_d!#$%&*/=?^`{|}~@x-y.example", "a.b-c_d!#$%&*/=?^`{|}~@x-y.example"],
    [`${"a".repeat(64)}@example.com`, `${"a".repeat(64)}@example.com`],
  ])("accepts %j as %j", (raw, canonical) => {
    expect(canonicalEmail(raw)).toBe(canonical);
    expect(canonicalEmail(canonical)).toBe(canonical);
  });

  it.each([
    ["display name", "Ada <ada@example.com>"],
    ["angle brackets", "<ada@example.com>"],
    ["quoted local part", '"a b"@example.com'],
    ["quoted local part without a space", '"ab"@example.com'],
    ["comma", "a,b@example.com"],
    ["semicolon", "a;b@example.com"],
    ["colon", "a:b@example.com"],
    ["comment", "ada(work)@example.com"],
    ["address literal", "ada@[127.0.0.1]"],
    ["backslash", "a\\b@example.com"],
    ["space inside", "ada lovelace@example.com"],
    ["no-break space", "ada\u00a0@example.com"],
    ["line feed", "ada@example.com\nBcc: eve@example.com"],
    ["zero-width space", "ad\u200ba@example.com"],
    ["zero-width space in the domain", "ada@exa\u200bmple.com"],
    ["zero-width joiner", "ada@exam\u200dple.com"],
    ["soft hyphen", "ada@exam\u00adple.com"],
    ["right-to-left override", "ada\u202e@example.com"],
    ["left-to-right isolate", "ada@\u2066example.com"],
    ["right-to-left mark", "ada@example.com\u200f"],
    ["byte-order mark inside", "ada\ufeff@example.com"],
    ["escape", "ada\u001b[2J@example.com"],
    ["Hangul filler", "ada@exa\u3164mple.com"],
    ["Cyrillic а in a Latin label", "ada@pаypal.com"],
    ["the same as an A-label", "ada@xn--pypal-4ve.com"],
    ["Greek ο in a Latin label", "ada@gοogle.com"],
    ["fullwidth local part", "ａda@example.com"],
    ["fullwidth domain", "ada@ｅｘａｍｐｌｅ.com"],
    ["Kelvin sign", "\u212aate@example.com"],
    ["fullwidth full stop", "ada@example\uff0ecom"],
    ["non-ASCII local part", "zoë@example.com"],
    ["Cyrillic local part", "адa@example.com"],
    ["two dots", "a..b@example.com"],
    ["leading dot", ".a@example.com"],
    ["trailing dot", "a.@example.com"],
    ["no @", "ada.example.com"],
    ["two @", "ada@home@example.com"],
    ["nothing before @", "@example.com"],
    ["nothing after @", "ada@"],
    ["no top-level domain", "ada@localhost"],
    ["trailing dot in the domain", "ada@example.com."],
    ["empty label", "ada@example..com"],
    ["numeric top-level domain", "ada@1.2.3.4"],
    ["hex IPv4", "ada@0x7f.1"],
    ["underscore in the domain", "ada@ex_ample.com"],
    ["exclamation in the domain", "ada@ex!ample.com"],
    ["leading hyphen", "ada@-example.com"],
    ["trailing hyphen", "ada@example-.com"],
    ["emoji domain", "ada@💩.la"],
    ["fraction slash", "ada@example.com\u2044evil.com"],
    ["broken A-label", "ada@xn--zz.com"],
    ["65-character local part", `${"a".repeat(65)}@example.com`],
    ["64-character label", `ada@${"a".repeat(64)}.com`],
    ["255 characters", `ada@${Array.from({ length: 5 }, () => "b".repeat(49)).join(".")}.com`],
    ["an IDN over 254 once in A-labels", `${"a".repeat(60)}@${Array.from({ length: 6 }, () => "ü".repeat(30)).join(".")}.de`],
    ["empty", ""],
    ["blank", "   "],
  ])("refuses %s", (_label, raw) => {
    const error = refusal(() => canonicalEmail(raw, "email"));
    expect(error.code).toBe("invalid_request");
    expect(error.extra.errors).toEqual([{ field: "email", message: expect.any(String) }]);
    // Plain words, and never the address itself back (it may hold terminal escapes).
    expect(error.extra.errors![0]!.message).not.toMatch(/pattern|must match/);
    if (raw.trim().length > 3) expect(error.detail).not.toContain(raw.trim());
    expect(canonicalEmailOrNull(raw)).toBeNull();
  });

  it("says why a non-ASCII local part is refused", () => {
    expect(refusal(() => canonicalEmail("zoë@example.com")).extra.errors![0]!.message).toMatch(/cannot be delivered by every mail server/);
  });

  it("names the field it was given", () => {
    expect(refusal(() => canonicalEmail("nope", "approverEmail")).extra.errors![0]!.field).toBe("approverEmail");
  });
});

describe("scripts", () => {
  it("knows the script of every character this Node's Unicode assigns", () => {
    const known = new RegExp(`^[${knownScripts().map((name) => `\\p{Script=${name}}`).join("")}\\p{Script=Common}\\p{Script=Inherited}]$`, "u");
    const assigned = /^[^\p{Cn}\p{Co}\p{Cs}]$/u;
    const unknown: string[] = [];
    for (let code = 0; code <= 0x10ffff; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      if (assigned.test(char) && !known.test(char)) unknown.push(code.toString(16));
    }
    expect(unknown.slice(0, 10), "add the new scripts to SCRIPT_NAMES in scripts.ts").toEqual([]);
  });

  it("tells Latin from Cyrillic and allows the East Asian combinations", () => {
    expect(scriptOf("a")).toBe("Latin");
    expect(scriptOf("а")).toBe("Cyrillic");
    expect(scriptOf("-")).toBe("");
    expect(scriptOf("\u0301")).toBe(""); // a combining mark goes with any script
    expect(mixesScripts(scriptsOf("pаypal")!)).toBe(true);
    expect(mixesScripts(scriptsOf("bücher")!)).toBe(false);
    expect(mixesScripts(scriptsOf("日本語ドメイン")!)).toBe(false);
    expect(mixesScripts(scriptsOf("한국어漢字")!)).toBe(false);
    expect(mixesScripts(scriptsOf("한국ドメイン")!)).toBe(true);
    expect(mixesScripts(scriptsOf("ελληνικάабв")!)).toBe(true);
  });
});

describe("canonicalName", () => {
  it.each([
    ["  Ada Lovelace ", "Ada Lovelace"],
    ["Zoe\u0308", "Zoë"],
    ["Акме ООО", "Акме ООО"],
    ["O'Brien & Sons (Ltd.)", "O'Brien & Sons (Ltd.)"],
  ])("accepts %j as %j", (raw, name) => {
    expect(canonicalName(raw)).toBe(name);
  });

  it.each([
    ["empty", ""],
    ["blank", " \t "],
    ["escape sequence", "Ada\u001b[2J"],
    ["bell", "Ada\u0007"],
    ["delete", "Ada\u007f"],
    ["C1 control", "Ada\u009b31m"],
    ["line feed", "Ada\nLovelace"],
    ["right-to-left override", "Ada\u202eecalevol"],
    ["first-strong isolate", "Ada\u2068x\u2069"],
    ["left-to-right mark", "Ada\u200e"],
    ["zero-width space", "Ad\u200ba"],
    ["soft hyphen", "Love\u00adlace"],
    ["line separator", "Ada\u2028Lovelace"],
    ["101 characters", "a".repeat(101)],
  ])("refuses %s", (_label, raw) => {
    const error = refusal(() => canonicalName(raw, "name"));
    expect(error.code).toBe("invalid_request");
    expect(error.extra.errors).toEqual([{ field: "name", message: expect.stringMatching(/^it (must|may)/) }]);
  });
});

describe("escapeForTerminal", () => {
  it("shows control, format and bidi characters as escapes and leaves the rest", () => {
    expect(escapeForTerminal("Ada\u001b[2J\u202eLovelace")).toBe("Ada\\u001b[2J\\u202eLovelace");
    expect(escapeForTerminal("a\\u202e")).toBe("a\\\\u202e");
    expect(escapeForTerminal("tag\u{e0041}")).toBe("tag\\u{e0041}");
    expect(escapeForTerminal("Zoë 日本 ü")).toBe("Zoë 日本 ü");
  });
});

describe("passwordProblem", () => {
  const email = "ada.lovelace@xn--bcher-kva.example";
  it.each([
    ["too short", "nine char"],
    ["the e-mail", email],
    ["the e-mail in capitals", email.toUpperCase()],
    ["the e-mail with its Unicode domain", "Ada.Lovelace@Bücher.example"],
    ["the local part", "ada.lovelace"],
    ["the local part in capitals", "ADA.LOVELACE"],
    ["one repeated character", "aaaaaaaaaaaa"],
    ["one repeated symbol", "!!!!!!!!!!!!"],
    ["digits only", "20261224123456"],
    ["other digits only", "١٢٣٤٥٦٧٨٩٠١"],
    ["a common password", "Password1234"],
  ])("refuses %s", (_label, password) => {
    expect(passwordProblem(password, email)).toEqual(expect.any(String));
  });

  it.each(["a long enough passphrase", "ada.lovelace!", "aaaaaaaaaab", "2026-12-24 12:34"])("accepts %j", (password) => {
    expect(passwordProblem(password, email)).toBeNull();
  });
});
