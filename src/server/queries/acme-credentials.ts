// A team's ACME credentials, newest first, keyset-paginated on the time-ordered id, each with the
// ACME accounts bound with it. Never the HMAC key, sealed or not. The accounts of a page come from
// one query for all its credentials, so a page costs two queries however many credentials it holds.
import type { Executor } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { AcmeAccountDto, AcmeCredentialDto, AcmeCredentialPageDto } from "../../shared/schemas/acme-credentials.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

/** Where ACME clients start (API.md "ACME"): the directory under the deployment's BASE_URL. */
export function acmeDirectoryUrl(baseUrl: string): string {
  return `${baseUrl}/acme/directory`;
}

function credentialsOf(executor: Executor, teamId: string) {
  return executor
    .selectFrom("acmeCredentials")
    .innerJoin("users", "users.id", "acmeCredentials.createdBy")
    .select([
      "acmeCredentials.id",
      "acmeCredentials.name",
      "acmeCredentials.keyId",
      "acmeCredentials.productId",
      "acmeCredentials.billingProfileId",
      "acmeCredentials.createdBy",
      "users.email as creatorEmail",
      "acmeCredentials.createdAt",
      "acmeCredentials.revokedAt",
    ])
    .where("acmeCredentials.teamId", "=", teamId);
}

type CredentialRow = Awaited<ReturnType<ReturnType<typeof credentialsOf>["execute"]>>[number];

/** The accounts bound with these credentials (of this team), grouped by credential, oldest first. */
async function accountsOf(executor: Executor, teamId: string, credentialIds: string[]): Promise<Map<string, AcmeAccountDto[]>> {
  const byCredential = new Map<string, AcmeAccountDto[]>(credentialIds.map((id) => [id, []]));
  if (credentialIds.length === 0) return byCredential;
  const rows = await executor
    .selectFrom("acmeAccounts")
    .select(["id", "credentialId", "thumbprint", "status", "createdAt", "lastUsedAt"])
    .where("teamId", "=", teamId)
    .where("credentialId", "in", credentialIds)
    .orderBy("credentialId")
    .orderBy("id")
    .execute();
  for (const row of rows) {
    byCredential.get(row.credentialId)?.push({
      id: row.id,
      thumbprint: row.thumbprint,
      status: row.status as AcmeAccountDto["status"],
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
    });
  }
  return byCredential;
}

async function present(executor: Executor, teamId: string, rows: CredentialRow[], baseUrl: string): Promise<AcmeCredentialDto[]> {
  const accounts = await accountsOf(executor, teamId, rows.map((row) => row.id));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    keyId: row.keyId,
    productId: row.productId,
    billingProfileId: row.billingProfileId,
    directoryUrl: acmeDirectoryUrl(baseUrl),
    createdBy: { id: row.createdBy, email: row.creatorEmail },
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    // An account that registered while its credential was being revoked may still say valid: the
    // ACME server refuses it (and shows it deactivated), so the list does too.
    accounts: (accounts.get(row.id) ?? []).map((account) => (row.revokedAt && account.status === "valid" ? { ...account, status: "deactivated" as const } : account)),
  }));
}

export async function listAcmeCredentials(
  executor: Executor,
  teamId: string,
  input: { limit: number; cursor?: string; baseUrl: string },
): Promise<AcmeCredentialPageDto> {
  const after = decodeCursor(input.cursor, 1);
  let query = credentialsOf(executor, teamId);
  if (after) query = query.where("acmeCredentials.id", "<", after[0]!);
  const rows = await query.orderBy("acmeCredentials.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return {
    items: await present(executor, teamId, page, input.baseUrl),
    nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null,
    directoryUrl: acmeDirectoryUrl(input.baseUrl),
  };
}

export async function getAcmeCredential(executor: Executor, teamId: string, credentialId: string, baseUrl: string): Promise<AcmeCredentialDto> {
  const row = await credentialsOf(executor, teamId).where("acmeCredentials.id", "=", credentialId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such ACME credential in this team.");
  return (await present(executor, teamId, [row], baseUrl))[0]!;
}
