// What each method asks the customer to do, and where certdesk will look when it checks: the file
// the `http` check fetches, the TXT record the `dns` check reads, the five constructed addresses
// (BR 3.2.2.4.4) the `email` method may write to.
import type { ValidationMethod } from "../../shared/account.js";
import type { InstructionsDto } from "../../shared/schemas/orders.js";
import { DNS_LABEL } from "./dns-check.js";
import { pkiValidationPath } from "./http-check.js";
import { validatedName } from "./ledger.js";

export const APPROVER_MAILBOXES = ["admin", "administrator", "webmaster", "hostmaster", "postmaster"] as const;

export function approverEmailsFor(domain: string): string[] {
  const name = validatedName(domain);
  return APPROVER_MAILBOXES.map((box) => `${box}@${name}`);
}

/** The file name under /.well-known/pki-validation/ for a challenge. */
export function httpFileFor(challenge: string): string {
  return `${challenge.slice(0, 16)}.txt`;
}

export function instructionsFor(domain: string, method: ValidationMethod, challenge: string): InstructionsDto {
  const name = validatedName(domain);
  switch (method) {
    case "email":
      return { method, approverEmails: approverEmailsFor(domain) };
    case "http":
      return { method, url: `http://${name}${pkiValidationPath(httpFileFor(challenge))}`, content: challenge };
    case "dns":
      return { method, recordName: `${DNS_LABEL}.${name}`, recordType: "TXT", recordValue: challenge };
  }
}
