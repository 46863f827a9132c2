// Domain-control validation methods and what each asks the customer to do. certdesk cannot reach
// the internet, so a step is marked complete by the validator; the instructions are the real ones.
export const VALIDATION_METHODS = ["email", "http", "dns"] as const;
export type ValidationMethod = (typeof VALIDATION_METHODS)[number];

/** The name whose control is proven: a wildcard is validated on its base domain. */
export function validatedName(domain: string): string {
  return domain.startsWith("*.") ? domain.slice(2) : domain;
}

export type Instructions =
  | { method: "email"; approverEmails: string[] }
  | { method: "http"; url: string; content: string }
  | { method: "dns"; recordName: string; recordType: "TXT"; recordValue: string };

export function instructionsFor(domain: string, method: ValidationMethod, challenge: string): Instructions {
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
