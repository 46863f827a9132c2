// What a command or query receives: the long-lived dependencies and, per request, the actor.
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { CaProvider } from "./account/ca-provider.js";
import type { PaymentGateway } from "./account/payment-gateway.js";
import type { Db } from "./db/create-db.js";
import type { Sealer } from "./sealer.js";
import type { Team } from "./db/schema.js";
import type { Principal, UserPrincipal } from "./auth/principal.js";
import type { TeamMember } from "./policy/authorize.js";

/** Wakes the e-mail dispatcher after a commit that queued mail. */
export interface MailWaker {
  wake(): void;
}

export interface Deps {
  db: Db;
  config: Config;
  clock: Clock;
  mail: MailWaker;
  /** The demonstration CA that signs customers' certificates. */
  ca: CaProvider;
  payments: PaymentGateway;
  /** Seals and opens with the master key what a copy of the database must not reveal (master-key.ts). */
  sealer: Sealer;
  log?: FastifyBaseLogger;
}

/** The signed-in person, re-read from the store with their session on every request. */
export type Actor = UserPrincipal;

/** What a command about a person receives (their account, their teams, an invitation's link). */
export interface Ctx extends Deps {
  actor: Actor;
  /** The same person, as what commands record. */
  principal: Actor;
}

/**
 * What the guard hands a team route's command: the principal, the team as the guard read it, and
 * the principal's standing in it (a person's membership or a key's permissions).
 */
export interface TeamCtx extends Deps {
  principal: Principal;
  team: Team;
  member: TeamMember;
}
