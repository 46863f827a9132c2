// What deleting a team takes with it, counted for the delete-team dialog (issue 14): a person
// about to type the team's name should see "12 orders, 9 certificates, 30 documents" first.
// Asked only when the dialog opens, so GET /api/teams/:teamId stays one indexed read.
import { sql } from "kysely";
import type { Executor } from "../db/transaction.js";
import type { TeamContentsDto } from "../../shared/schemas/teams.js";

export async function countTeamContents(executor: Executor, teamId: string): Promise<TeamContentsDto> {
  const count = sql<number>`count(*)`;
  const [orders, certificates, documents, billingProfiles, apiKeys, acmeCredentials, members] = await Promise.all([
    executor.selectFrom("orders").select(count.as("n")).where("teamId", "=", teamId).executeTakeFirstOrThrow(),
    executor
      .selectFrom("certificates")
      .innerJoin("orders", "orders.id", "certificates.orderId")
      .select(count.as("n"))
      .where("orders.teamId", "=", teamId)
      .executeTakeFirstOrThrow(),
    executor.selectFrom("documents").select(count.as("n")).where("teamId", "=", teamId).executeTakeFirstOrThrow(),
    executor.selectFrom("billingProfiles").select(count.as("n")).where("teamId", "=", teamId).where("deletedAt", "is", null).executeTakeFirstOrThrow(),
    executor.selectFrom("apiKeys").select(count.as("n")).where("teamId", "=", teamId).where("revokedAt", "is", null).executeTakeFirstOrThrow(),
    executor.selectFrom("acmeCredentials").select(count.as("n")).where("teamId", "=", teamId).where("revokedAt", "is", null).executeTakeFirstOrThrow(),
    // Kept by triggers (migration 0011): the same cost for any team size.
    executor.selectFrom("teams").select("memberCount as n").where("id", "=", teamId).executeTakeFirstOrThrow(),
  ]);
  // PostgreSQL answers count(*) as a bigint string.
  const n = (row: { n: number | string | bigint }) => Number(row.n);
  return {
    orders: n(orders),
    certificates: n(certificates),
    documents: n(documents),
    billingProfiles: n(billingProfiles),
    apiKeys: n(apiKeys),
    acmeCredentials: n(acmeCredentials),
    members: n(members),
  };
}
