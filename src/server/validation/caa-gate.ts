// CAA before issuance (SPEC 15, API.md): the call that would issue — a CSR, or the last check —
// asks CAA for every name of the order before its transaction (DNS is not done under a row lock).
// Inside the transaction, an order that has become ready is issued only if that verdict allowed
// it; a refusal is audited, committed, and then answered 422 caa_forbidden with nothing issued.
import type { Deps } from "../context.js";
import type { OrderDomain } from "../db/schema.js";
import { AppError } from "../errors.js";
import { checkCaaAll } from "./caa.js";
import type { CaaVerdict } from "./caa.js";
import { resolverFor } from "./resolver.js";

/** The verdict for these names, or "unchecked" when issuance was not expected (nothing may then issue). */
export type CaaGate = CaaVerdict | { ok: "unchecked" };

export function caaVerdict(deps: Pick<Deps, "config">, domains: string[]): Promise<CaaVerdict> {
  return checkCaaAll(resolverFor(deps.config), domains, deps.config.caaIdentity);
}

/** Whether the order would issue now: pending, a CSR on file, every step validated. */
export function wouldIssue(order: { status: string; csrPem: string | null }, domains: Pick<OrderDomain, "completedAt">[]): boolean {
  return order.status === "pending_validation" && order.csrPem !== null && domains.length > 0 && domains.every((d) => d.completedAt !== null);
}

export function caaRefusal(reason: string): AppError {
  return new AppError("caa_forbidden", `Not issued: ${reason}.`);
}
