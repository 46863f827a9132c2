// The JSON of ACME's resources (RFC 8555 §7.1): accounts, orders, authorizations, challenges.
import type { AcmeAccount } from "./accounts.js";
import type { AcmeOrderState, AuthzState } from "./order-state.js";
import type { AcmeUrls, ChallengeType } from "./paths.js";
import { CHALLENGE_TYPES } from "./paths.js";

export function presentAccount(urls: AcmeUrls, account: AcmeAccount) {
  return {
    status: account.credentialRevoked && account.status === "valid" ? "deactivated" : account.status,
    contact: account.contact,
    termsOfServiceAgreed: true,
    orders: urls.accountOrders(account.id),
    createdAt: account.createdAt,
  };
}

export function presentOrder(urls: AcmeUrls, order: AcmeOrderState) {
  return {
    status: order.status,
    expires: order.expiresAt,
    identifiers: order.domains.map((value) => ({ type: "dns", value })),
    authorizations: order.authorizations.map((a) => urls.authorization(a.id)),
    finalize: urls.finalize(order.id),
    ...(order.certificate ? { certificate: urls.certificate(order.id) } : {}),
    ...(order.error ? { error: order.error } : {}),
  };
}

/** The challenges a name is offered: a wildcard only dns-01 (RFC 8555 §7.1.3, BR 3.2.2.4). */
export function offeredTypes(authz: Pick<AuthzState, "wildcard">): readonly ChallengeType[] {
  return authz.wildcard ? ["dns-01"] : CHALLENGE_TYPES;
}

/** A name the ledger covered (SPEC 16) shows the challenge its method corresponds to as valid. */
const REUSED_AS: Record<string, ChallengeType | undefined> = { dns: "dns-01", http: "http-01" };

export function challengeStatus(authz: AuthzState, type: ChallengeType): "pending" | "processing" | "valid" | "invalid" {
  if (authz.challengeType === type && authz.challengeStatus) return authz.challengeStatus;
  if (authz.reusedMethod && REUSED_AS[authz.reusedMethod] === type) return "valid";
  return "pending";
}

export function presentChallenge(urls: AcmeUrls, authz: AuthzState, type: ChallengeType) {
  const status = challengeStatus(authz, type);
  return {
    type,
    url: urls.challenge(authz.id, type),
    status,
    token: authz.token,
    ...(status === "valid" && authz.validatedAt ? { validated: authz.validatedAt } : {}),
    ...(authz.challengeType === type && authz.error ? { error: authz.error } : {}),
  };
}

export function presentAuthorization(urls: AcmeUrls, authz: AuthzState) {
  // A valid authorization lists the challenge that made it so; a pending one every challenge offered.
  const types = offeredTypes(authz).filter((type) => authz.status !== "valid" || challengeStatus(authz, type) === "valid");
  return {
    identifier: { type: "dns", value: authz.identifier },
    status: authz.status,
    expires: authz.expiresAt,
    challenges: types.map((type) => presentChallenge(urls, authz, type)),
    ...(authz.wildcard ? { wildcard: true } : {}),
  };
}
