// A team's ACME credentials (SPEC rules 13 and 20): an External Account Binding naming the product
// and billing profile its ACME orders use. The HMAC key is returned once, from create; the database
// keeps it sealed with the master key (sealer.ts), because checking a binding's MAC needs it in
// clear — a hash, as for API keys, would not do. Revoking stops new bindings and deactivates every
// account bound with the credential, in one transaction.
import { randomBytes } from "node:crypto";
import { canonicalName } from "../auth/names.js";
import { accountableUserId, auditActorOf } from "../auth/principal.js";
import type { Deps, TeamCtx } from "../context.js";
import type { AcmeCredentialsTable } from "../db/schema.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { lockTeam } from "./team-lock.js";

/** RFC 8555 §7.3.4 leaves the size to the CA; 32 bytes is HMAC-SHA256's own key size. */
const HMAC_KEY_BYTES = 32;

export interface CreateAcmeCredentialInput {
  name: string;
  productId: string;
  billingProfileId: string;
}

/**
 * The authenticated context of a sealed HMAC key: its row and team. Moved to another row or team
 * (a copy of the database edited by hand), the key no longer opens, so no binding succeeds with it.
 */
function hmacKeyContext(credential: Pick<AcmeCredentialsTable, "id" | "teamId">): string {
  return `acme credential ${credential.id} team ${credential.teamId} hmac key`;
}

/** What opening needs from a credential's row. */
export type SealedHmacKeyRow = Pick<AcmeCredentialsTable, "id" | "teamId" | "hmacKeySealed">;

/** The credential's EAB MAC key, unsealed, for checking an `externalAccountBinding` (RFC 8555 §7.3.4). Throws SealError when it does not open. */
export function openHmacKey(deps: Pick<Deps, "sealer">, credential: SealedHmacKeyRow): Buffer {
  return Buffer.from(deps.sealer.open(credential.hmacKeySealed, hmacKeyContext(credential)), "base64url");
}

/**
 * Random bytes, base64url, drawn again when the text would begin with "-": pasted after
 * `--eab-hmac-key` or `--hmac`, such a value is read as an option (certbot stops with "expected
 * one argument"). One draw in 64 is redrawn; what remains is uniform over the others.
 */
function pasteable(bytes: number): string {
  for (;;) {
    const value = randomBytes(bytes).toString("base64url");
    if (!value.startsWith("-")) return value;
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { errors: [{ field, message }] });
}

export async function createAcmeCredential(ctx: TeamCtx, input: CreateAcmeCredentialInput): Promise<{ id: string; hmacKey: string }> {
  const teamId = ctx.team.id;
  const name = canonicalName(input.name);
  const product = await ctx.db.kysely.selectFrom("products").select("id").where("id", "=", input.productId).executeTakeFirst();
  if (!product) throw invalid("productId", `There is no product ${input.productId}.`);
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  // The key id is what clients send in the clear as the binding's `kid`: random, not secret.
  const keyId = pasteable(16);
  const hmacKey = pasteable(HMAC_KEY_BYTES);
  await inTransaction(ctx.db, async (tx) => {
    // The team first (team-lock.ts), then the profile as of now: one removed meanwhile is a 404.
    await lockTeam(tx, ctx.db, teamId);
    const profile = await findLiveBillingProfile(tx, teamId, input.billingProfileId);
    await tx
      .insertInto("acmeCredentials")
      .values({
        id,
        teamId,
        name,
        keyId,
        hmacKeySealed: ctx.sealer.seal(hmacKey, hmacKeyContext({ id, teamId })),
        productId: product.id,
        billingProfileId: profile.id,
        createdBy: accountableUserId(ctx.principal),
        createdAt: now.toISOString(),
        revokedAt: null,
      })
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "acme_credential.created",
      target: name,
      details: { acmeCredentialId: id, keyId, productId: product.id, billingProfileId: profile.id, billingProfileName: profile.name },
    });
  });
  return { id, hmacKey };
}

/**
 * No new account binds with the credential, and the accounts bound with it are deactivated (API.md).
 * Revoking a revoked credential changes nothing (and is not audited again).
 */
export async function revokeAcmeCredential(ctx: TeamCtx, credentialId: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const now = ctx.clock.now().toISOString();
    // Conditional on revoked_at being null, so that of two concurrent revokes one does the work.
    const revoked = await tx
      .updateTable("acmeCredentials")
      .set({ revokedAt: now })
      .where("id", "=", credentialId)
      .where("teamId", "=", teamId)
      .where("revokedAt", "is", null)
      .returning(["name", "keyId"])
      .executeTakeFirst();
    if (!revoked) {
      const exists = await tx.selectFrom("acmeCredentials").select("id").where("id", "=", credentialId).where("teamId", "=", teamId).executeTakeFirst();
      if (!exists) throw new AppError("not_found", "No such ACME credential in this team.");
      return;
    }
    const deactivated = await tx
      .updateTable("acmeAccounts")
      .set({ status: "deactivated" })
      .where("credentialId", "=", credentialId)
      .where("status", "=", "valid")
      .returning("id")
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "acme_credential.revoked",
      target: revoked.name,
      details: { acmeCredentialId: credentialId, keyId: revoked.keyId, deactivatedAccountIds: deactivated.map((a) => a.id) },
    });
  });
}
