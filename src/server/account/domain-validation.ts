// Domain-control validation methods and what each asks the customer to do. certdesk cannot reach
// the internet, so a step is marked complete by the validator; the instructions are the real ones.
import type { ValidationMethod } from "../../shared/account.js";
import type { InstructionsDto } from "../../shared/schemas/orders.js";

/** The name whose control is proven: a wildcard is validated on its base domain. */
export function validatedName(domain: string): string {
  return domain.startsWith("*.") ? domain.slice(2) : domain;
}

export function instructionsFor(domain: string, method: ValidationMethod, challenge: string): InstructionsDto {
  const name = validatedName(domain);
  switch (method) {
    case "email":
      return { method, approverEmails: ["admin", "administrator", "webmaster", "hostmaster", "postmaster"].map((box) => `${box}@${name}`) };
    case "http":
      return { method, url: `http://${name}/.well-known/pki-validation/${challenge.slice(0, 16)}.txt`, content: challenge };
    case "dns":
      return { method, recordName: `_certdesk-challenge.${name}`, recordType: "TXT", recordValue: challenge };
  }
}
