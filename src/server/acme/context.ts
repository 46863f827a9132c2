// What an ACME request acts as: the account's principal in its credential's team, with ACME's fixed
// permissions (policy/roles.ts) — the same TeamCtx every certdesk command takes, so an ACME order
// goes through the commands a dashboard order does.
import type { TeamCtx } from "../context.js";
import { AppError } from "../errors.js";
import { ACME_PERMISSIONS } from "../policy/roles.js";
import type { Services } from "../routes/route-kit.js";
import type { AcmeAccount } from "./accounts.js";
import { principalOf } from "./accounts.js";

export async function teamCtxFor(services: Services, account: AcmeAccount): Promise<TeamCtx> {
  const team = await services.db.kysely
    .selectFrom("teams")
    .select(["id", "name", "ownerId", "isDefault", "createdAt"])
    .where("id", "=", account.teamId)
    .executeTakeFirst();
  if (!team) throw new AppError("not_found", "This account's team no longer exists.");
  const { db, config, clock, mail, ca, payments, sealer, log } = services;
  return {
    db, config, clock, mail, ca, payments, sealer, ...(log ? { log } : {}),
    principal: principalOf(account),
    team,
    member: { kind: "acmeAccount", teamId: team.id, acmeAccountId: account.id, isOwner: false, roles: [], keyPermissions: ACME_PERMISSIONS },
  };
}
