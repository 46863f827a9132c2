// Account settings: a person changes the name others see (members lists, invitations, e-mails).
// The name rule is the one of sign-up (auth/names.ts).
import { canonicalName } from "../auth/names.js";
import type { Ctx } from "../context.js";

/** Returns the name as stored (trimmed, NFC). */
export async function renameAccount(ctx: Ctx, rawName: string): Promise<string> {
  const name = canonicalName(rawName);
  if (name !== ctx.actor.name) await ctx.db.kysely.updateTable("users").set({ name }).where("id", "=", ctx.actor.id).execute();
  return name;
}
