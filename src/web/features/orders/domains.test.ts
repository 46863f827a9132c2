import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import type { ProductDto as Product } from "../../../shared/schemas";
import { checkDomainLines, parseDomains, serverDomainErrors } from "./domains";
import { opensslCommand } from "./words";

const EV: Product = { id: "ev-1y", name: "EV SSL, 1 year", type: "EV", years: 1, priceMinor: 29900, currency: "USD", wildcardAllowed: false };

describe("domains of a new order", () => {
  it("reads one domain a line, skipping blank lines but keeping line numbers", () => {
    expect(parseDomains(" a.example.com \n\nb.example.com\r\n")).toEqual([
      { line: 1, value: "a.example.com" },
      { line: 3, value: "b.example.com" },
    ]);
  });

  it("refuses an empty list, duplicates and wildcards the product does not cover", () => {
    expect(checkDomainLines([], EV)).toEqual(["Enter at least one domain."]);
    const problems = checkDomainLines(parseDomains("a.example.com\nA.example.com.\n*.example.com"), EV);
    expect(problems).toEqual(["Line 2: A.example.com. is already on line 1.", "Line 3: EV SSL, 1 year does not cover wildcard names like *.example.com."]);
    expect(checkDomainLines(parseDomains(Array.from({ length: 101 }, (_, i) => `d${i}.example.com`).join("\n")), EV)[0]).toMatch(/at most 100/);
  });

  it("puts the server's field errors on the lines they came from", () => {
    const sent = parseDomains("a.example.com\n\nnot a domain");
    const error = new ApiError({ status: 400, code: "invalid_request", errors: [{ field: "domains.1", message: "is not a valid DNS name." }] });
    expect(serverDomainErrors(error, sent)).toEqual(["Line 3: is not a valid DNS name."]);
    const schema = new ApiError({ status: 400, code: "invalid_request", errors: [{ field: "/body/domains/0", message: "must NOT have more than 253 characters" }] });
    expect(serverDomainErrors(schema, sent)).toEqual(["Line 1: must NOT have more than 253 characters"]);
    expect(serverDomainErrors(new Error("x"), sent)).toEqual([]);
  });

  it("prefills the openssl command with the order's names", () => {
    expect(opensslCommand(["example.com", "*.example.com"])).toBe(
      'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -subj "/CN=example.com" -addext "subjectAltName=DNS:example.com,DNS:*.example.com"',
    );
  });
});
