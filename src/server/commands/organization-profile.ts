// Setting a team's organization profile (SPEC 17): the legal name, locality and country its OV and
// EV certificates name. Certificates already issued keep the subject they were signed with.
import { auditActorOf } from "../auth/principal.js";
import { canonicalName } from "../auth/names.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import type { OrganizationProfileInput } from "../../shared/schemas/organization.js";
import { recordAudit } from "./audit.js";
import { lockTeam } from "./team-lock.js";

export async function setOrganizationProfile(ctx: TeamCtx, input: OrganizationProfileInput): Promise<void> {
  const teamId = ctx.team.id;
  const values = {
    legalName: canonicalName(input.legalName, "legalName"),
    locality: canonicalName(input.locality, "locality"),
    country: input.country,
    updatedAt: ctx.clock.now().toISOString(),
  };
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    await tx
      .insertInto("organizationProfiles")
      .values({ teamId, ...values })
      .onConflict((oc) => oc.column("teamId").doUpdateSet(values))
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "organization.updated",
      target: teamId,
      details: { legalName: values.legalName, locality: values.locality, country: values.country },
    });
  });
}
