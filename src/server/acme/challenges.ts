// Answering a challenge (RFC 8555 §7.5.1, §8): the client says it is ready; certdesk looks for
// itself, through the validation engine every certdesk order uses (SPEC 14, SECURITY 34):
// http-01 fetches http://{name}:{DCV_HTTP_PORT}/.well-known/acme-challenge/{token} and the body must
// be the key authorization; dns-01 reads TXT _acme-challenge.{name}, which must hold the key
// authorization's SHA-256, base64url. The answer comes at once with the challenge `processing`;
// the look happens after it (tracked background work), so a slow DNS server holds no request and
// no lock. A success validates the order's step exactly as a dashboard check does — the team's
// ledger gains the name (dns-01 as `dns`, http-01 as `http`) — in one transaction with the
// authorization's new state; a failure makes the authorization (and so the order) invalid.
import { createHash } from "node:crypto";
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { recordAudit } from "../commands/audit.js";
import { lockOrderOfTeam, domainsOf, stepFor } from "../commands/order-in-team.js";
import { lockTeam } from "../commands/team-lock.js";
import { markStepValidated } from "../commands/validation-step.js";
import { ACME_DNS_LABEL, checkDnsTxt } from "../validation/dns-check.js";
import type { CheckResult } from "../validation/dns-check.js";
import { acmeChallengePath, checkHttpFile } from "../validation/http-check.js";
import { resolverFor } from "../validation/resolver.js";
import type { Limiter } from "../limits/limiter.js";
import type { AcmeAccount } from "./accounts.js";
import type { AuthzState } from "./order-state.js";
import { STALE_PROCESSING_MS } from "./order-state.js";
import type { ChallengeType } from "./paths.js";
import { offeredTypes } from "./present.js";
import { AcmeProblem, acmeType } from "./problems.js";

export function keyAuthorization(token: string, thumbprint: string): string {
  return `${token}.${thumbprint}`;
}

export function dnsDigest(keyAuth: string): string {
  return createHash("sha256").update(keyAuth).digest("base64url");
}

/** What certdesk finds for the challenge; `found` says what was there instead. */
async function look(ctx: TeamCtx, authz: AuthzState, type: ChallengeType, thumbprint: string): Promise<CheckResult> {
  const keyAuth = keyAuthorization(authz.token, thumbprint);
  const resolver = resolverFor(ctx.config);
  return type === "dns-01"
    ? checkDnsTxt(resolver, authz.identifier, dnsDigest(keyAuth), ACME_DNS_LABEL)
    : checkHttpFile(authz.identifier, acmeChallengePath(authz.token), keyAuth, { resolver, port: ctx.config.dcvHttpPort, exact: true });
}

/** The ACME error type for what the look found: no record or address is `dns`, no connection `connection`. */
function problemType(found: string): string {
  if (/NXDOMAIN|no TXT record|no A or AAAA|SERVFAIL|timed out|lookup/i.test(found)) return acmeType("dns");
  if (/refused|timeout|failed \(|no answer/i.test(found)) return acmeType("connection");
  return acmeType("incorrectResponse");
}

/**
 * Marks the challenge `processing` and returns the work that looks and records the outcome (run it
 * after answering). Returns null when nothing is to be done: the authorization is no longer pending,
 * or this challenge is already being looked at.
 */
export async function startChallenge(
  ctx: TeamCtx,
  account: AcmeAccount,
  authz: AuthzState,
  type: ChallengeType,
  limits: Limiter,
): Promise<(() => Promise<void>) | null> {
  if (!offeredTypes(authz).includes(type)) throw new AcmeProblem("malformed", `${type} is not offered for ${authz.domain}: a wildcard is validated by dns-01.`, { status: 404 });
  if (authz.status !== "pending") return null;
  const refused = limits.blocked(["acmeFailedValidationsPerAccount", account.id], ["acmeFailedValidationsPerCredential", account.credentialId]);
  if (refused) throw refused;
  const now = ctx.clock.now();
  const staleBefore = new Date(now.getTime() - STALE_PROCESSING_MS).toISOString();
  const claimed = await ctx.db.kysely
    .updateTable("acmeAuthorizations")
    .set({ challengeType: type, challengeStatus: "processing", challengeStartedAt: now.toISOString(), error: null })
    .where("id", "=", authz.id)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("challengeStatus", "is", null), eb("challengeStatus", "!=", "processing"), eb("challengeStartedAt", "<", staleBefore)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return null;
  return async () => {
    const result = await look(ctx, authz, type, account.thumbprint);
    if (!result.ok) limits.fail(["acmeFailedValidationsPerAccount", account.id], ["acmeFailedValidationsPerCredential", account.credentialId]);
    await recordOutcome(ctx, authz, type, result);
  };
}

async function recordOutcome(ctx: TeamCtx, authz: AuthzState, type: ChallengeType, result: CheckResult): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    await lockOrderOfTeam(tx, ctx.db.engine, teamId, authz.orderId);
    const current = await tx.selectFrom("acmeAuthorizations").selectAll().where("id", "=", authz.id).executeTakeFirst();
    // Deactivated, or claimed again by a later answer, while certdesk looked: this result is stale.
    if (!current || current.status !== "pending" || current.challengeType !== type || current.challengeStatus !== "processing") return;
    const step = stepFor(await domainsOf(tx, authz.orderId), authz.domain);
    const now = ctx.clock.now().toISOString();
    if (result.ok) {
      if (step.completedAt === null) {
        await markStepValidated(tx, ctx.clock, {
          teamId,
          orderId: authz.orderId,
          step,
          method: type === "dns-01" ? "dns" : "http",
          actor: auditActorOf(ctx.principal),
          details: { acmeChallenge: type },
        });
      }
      await tx.updateTable("acmeAuthorizations").set({ status: "valid", challengeStatus: "valid", validatedAt: now }).where("id", "=", authz.id).execute();
      return;
    }
    const error = { type: problemType(result.found), detail: `certdesk checked ${authz.identifier} by ${type} and did not find the key authorization: ${result.found}.`, status: 403 };
    await tx
      .updateTable("acmeAuthorizations")
      .set({ status: "invalid", challengeStatus: "invalid", error: JSON.stringify(error) })
      .where("id", "=", authz.id)
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "validation.failed",
      target: authz.orderId,
      details: { domain: authz.domain, method: type, found: result.found },
    });
  });
}

/** Deactivating an authorization (RFC 8555 §7.5.2): a pending or valid one only. */
export async function deactivateAuthorization(ctx: TeamCtx, authz: AuthzState): Promise<void> {
  if (authz.status !== "pending" && authz.status !== "valid") {
    throw new AcmeProblem("malformed", `An authorization that is ${authz.status} cannot be deactivated.`);
  }
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, ctx.team.id);
    await lockOrderOfTeam(tx, ctx.db.engine, ctx.team.id, authz.orderId);
    await tx.updateTable("acmeAuthorizations").set({ status: "deactivated" }).where("id", "=", authz.id).execute();
    await recordAudit(tx, ctx.clock, {
      teamId: ctx.team.id,
      actor: auditActorOf(ctx.principal),
      action: "acme_authorization.deactivated",
      target: authz.orderId,
      details: { domain: authz.domain },
    });
  });
}
