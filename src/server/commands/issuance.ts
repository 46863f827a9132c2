// Issuance, in one place: an order is issued as soon as every domain is validated and a CSR is on
// file, whichever of the two comes last, inside the transaction of the change that completed it.
// A new CSR on an issued order reissues at once. Each certificate is a new row; the newest is the
// order's current one, older ones stay for the record — revoked as superseded in the same
// transaction (SPEC 18). Each certificate lives at most the BR maximum of its issuance date and
// never past the order's coverage (SPEC 17, certs/lifetime.ts); its profile follows the product's
// type (certs/profile.ts): OV and EV name the team's organization and need a document on file.
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import type { Order, OrderDomain } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { certificateNotAfter, coverageEnd } from "../certs/lifetime.js";
import { POLICY_OIDS, namesOrganization, pkiUrls } from "../certs/profile.js";
import type { ProductType } from "../../shared/schemas/orders.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { domainsOf } from "./order-in-team.js";

/**
 * Issues the order's certificate when it is pending, has a CSR and every domain is validated.
 * The caller holds the order's row lock (lockOrderOfTeam). Returns whether it issued.
 */
export async function issueIfReady(tx: Tx, ctx: TeamCtx, orderId: string): Promise<boolean> {
  const order = await tx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  if (order.status !== "pending_validation" || order.csrPem === null) return false;
  const domains = await domainsOf(tx, orderId);
  if (domains.length === 0 || domains.some((d) => d.completedAt === null)) return false;
  await issueCertificate(tx, ctx, order, domains, "certificate.issued");
  return true;
}

/** Signs the order's CSR for its domains, stores the certificate, marks the order issued, audits. */
export async function issueCertificate(
  tx: Tx,
  ctx: TeamCtx,
  order: Order,
  domains: OrderDomain[],
  action: "certificate.issued" | "certificate.reissued",
): Promise<void> {
  if (order.csrPem === null) throw new Error(`order ${order.id} has no CSR to issue from`);
  const product = await tx.selectFrom("products").select(["years", "type"]).where("id", "=", order.productId).executeTakeFirstOrThrow();
  const type = product.type as ProductType;
  const organization = namesOrganization(type) ? await organizationFor(tx, order) : undefined;
  const now = ctx.clock.now();
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000); // X.509 time has seconds
  // The coverage starts at the first issuance and never moves: reissues within it are free.
  const coverageEndsAt = order.coverageEndsAt ? new Date(order.coverageEndsAt) : coverageEnd(notBefore, product.years);
  const notAfter = certificateNotAfter(notBefore, coverageEndsAt);
  if (!notAfter) {
    throw new AppError("conflict", `This order's coverage ended on ${coverageEndsAt.toISOString()}; a new order covers a new certificate.`);
  }
  const ca = await ctx.ca.get();
  const issued = await ca.issue({
    csrPem: order.csrPem,
    domains: domains.map((d) => d.domain),
    notBefore,
    notAfter,
    policyOid: POLICY_OIDS[type],
    ...(organization ? { organization } : {}),
    pkiUrls: pkiUrls(ctx.config.baseUrl),
  });
  // The certificate this one replaces stops being valid with it (SPEC 18).
  const replaced = await tx
    .updateTable("certificates")
    .set({ revokedAt: now.toISOString(), revocationReason: "superseded" })
    .where("orderId", "=", order.id)
    .where("revokedAt", "is", null)
    .returning("serialNumber")
    .execute();
  for (const { serialNumber } of replaced) {
    await recordAudit(tx, ctx.clock, {
      teamId: order.teamId,
      actor: auditActorOf(ctx.principal),
      action: "certificate.revoked",
      target: order.id,
      details: { serialNumber, reason: "superseded" },
    });
  }
  await tx
    .insertInto("certificates")
    .values({
      id: newId(now.getTime()),
      orderId: order.id,
      serialNumber: issued.serialNumber,
      certificatePem: issued.certificatePem,
      chainPem: issued.chainPem,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      createdAt: now.toISOString(),
    })
    .execute();
  // A reissue keeps the order's first issuance time: it is when the order was fulfilled.
  if (order.status !== "issued") {
    await tx
      .updateTable("orders")
      .set({ status: "issued", issuedAt: now.toISOString(), coverageEndsAt: coverageEndsAt.toISOString() })
      .where("id", "=", order.id)
      .execute();
  }
  await recordAudit(tx, ctx.clock, {
    teamId: order.teamId,
    actor: auditActorOf(ctx.principal),
    action,
    target: order.id,
    details: { serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(), domains: domains.map((d) => d.domain) },
  });
}

/**
 * The subject's organization for an OV/EV certificate: the team's organization profile, and at
 * least one document uploaded for the order (the evidence the organization was checked against).
 */
async function organizationFor(tx: Tx, order: Order): Promise<{ legalName: string; locality: string; country: string }> {
  const profile = await tx
    .selectFrom("organizationProfiles")
    .select(["legalName", "locality", "country"])
    .where("teamId", "=", order.teamId)
    .executeTakeFirst();
  if (!profile) {
    throw new AppError(
      "validation_failed",
      "OV and EV certificates name your organization: set the team's organization profile (legal name, locality, country) first.",
    );
  }
  const document = await tx.selectFrom("documents").select("id").where("orderId", "=", order.id).limit(1).executeTakeFirst();
  if (!document) {
    throw new AppError("validation_failed", "OV and EV certificates need at least one uploaded document proving the organization; upload one for this order first.");
  }
  return profile;
}
