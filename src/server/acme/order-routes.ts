// ACME's order resources (RFC 8555 §7.4–7.6): newOrder, an order, finalize, authorizations and
// their challenges, the certificate download, and revokeCert. Each handler checks the request and
// calls one command; the commands are certdesk's where the work is a member's too.
import { revokeCertificate } from "../commands/revoke-certificate.js";
import type { AcmeAccount } from "./accounts.js";
import { findAccount } from "./accounts.js";
import { deactivateAuthorization, startChallenge } from "./challenges.js";
import { teamCtxFor } from "./context.js";
import { finalizeOrder } from "./finalize.js";
import { RETRY_AFTER_SECONDS } from "./kit.js";
import type { AcmeKit } from "./kit.js";
import { newOrder } from "./new-order.js";
import { loadAcmeOrder } from "./order-state.js";
import { CHALLENGE_TYPES, ROUTES } from "./paths.js";
import type { ChallengeType } from "./paths.js";
import { presentAuthorization, presentChallenge } from "./present.js";
import { AcmeProblem } from "./problems.js";
import { issuedCertificate, parseRevocation, signedByCertificateKey } from "./revocation.js";


export function registerOrderRoutes({ services, urls, signed, post, orderOf, authzOf, sendOrder, accountOf, isPostAsGet }: AcmeKit): void {
  const { db, clock } = services;

  post(ROUTES.newOrder, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    if (!s.payload) throw new AcmeProblem("malformed", "newOrder takes {identifiers}.");
    const limited =
      services.limits.attempt("acmeOrdersPerAccount", account.id) ?? services.limits.attempt("acmeOrdersPerCredential", account.credentialId);
    if (limited) throw limited;
    const ctx = await teamCtxFor(services, account);
    const orderId = await newOrder(ctx, account, s.payload);
    return sendOrder(reply, (await loadAcmeOrder(db.kysely, orderId, clock.now()))!, 201);
  });

  post<"orderId">(ROUTES.order, async (request, reply) => {
    const s = await signed(request, "account");
    return sendOrder(reply, await orderOf(accountOf(s), request.params.orderId));
  });

  post<"orderId">(ROUTES.finalize, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    const order = await orderOf(account, request.params.orderId);
    await finalizeOrder(await teamCtxFor(services, account), order, s.payload);
    return sendOrder(reply, await orderOf(account, order.id));
  });

  post<"authzId">(ROUTES.authorization, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    let authz = await authzOf(account, request.params.authzId);
    if (s.payload?.status !== undefined) {
      if (s.payload.status !== "deactivated") throw new AcmeProblem("malformed", 'The only status a client may set is "deactivated".');
      await deactivateAuthorization(await teamCtxFor(services, account), authz);
      authz = await authzOf(account, authz.id);
    }
    if (authz.challengeStatus === "processing" && authz.status === "pending") reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return reply.send(presentAuthorization(urls, authz));
  });

  post<"authzId" | "type">(ROUTES.challenge, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    const type = request.params.type as ChallengeType;
    if (!CHALLENGE_TYPES.includes(type)) throw new AcmeProblem("malformed", `certdesk offers ${CHALLENGE_TYPES.join(" and ")}, not ${request.params.type}.`, { status: 404 });
    let authz = await authzOf(account, request.params.authzId);
    // POST-as-GET reads the challenge; any JSON object (RFC: {}) says "ready, look now".
    if (!isPostAsGet(s)) {
      const look = await startChallenge(await teamCtxFor(services, account), account, authz, type, services.limits);
      if (look) services.background.run("validate an ACME challenge", request.log, look);
      authz = await authzOf(account, authz.id);
    }
    reply.header("link", `<${urls.authorization(authz.id)}>;rel="up"`);
    if (authz.challengeStatus === "processing" && authz.challengeType === type) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return reply.send(presentChallenge(urls, authz, type));
  });

  post<"orderId">(ROUTES.certificate, async (request, reply) => {
    const s = await signed(request, "account");
    const order = await orderOf(accountOf(s), request.params.orderId);
    if (!order.certificate) throw new AcmeProblem("malformed", "This order has no certificate yet.", { status: 404 });
    // The leaf and the intermediate: the root is the relying party's own (API.md, /pki/root.pem).
    const intermediate = order.certificate.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/)?.[0] ?? "";
    return reply.type("application/pem-certificate-chain").send(`${order.certificate.certificatePem.trimEnd()}\n${intermediate.trimEnd()}\n`);
  });

  post(ROUTES.revokeCert, async (request, reply) => {
    const s = await signed(request, "either");
    const revocation = parseRevocation(s.payload);
    const issued = await issuedCertificate(db.kysely, revocation);
    let actor: AcmeAccount | undefined;
    if (s.account) {
      // Any account of the team whose order it is: the certificate is the team's (SPEC 13, 20).
      if (s.account.teamId !== issued.teamId) throw new AcmeProblem("unauthorized", "This account may not revoke this certificate.");
      actor = s.account;
    } else {
      if (!(await signedByCertificateKey(s.jwk!, revocation.certificate))) {
        throw new AcmeProblem("unauthorized", "A revocation signed with a jwk must be signed by the certificate's own key.");
      }
      // The holder of the certificate's key acts through the account that ordered it.
      actor = issued.accountId ? await findAccount(db.kysely, issued.accountId) : undefined;
      if (!actor) throw new AcmeProblem("unauthorized", "This certificate was not ordered through ACME; revoke it from the dashboard.");
    }
    await revokeCertificate(await teamCtxFor(services, actor), issued.orderId, revocation.reason);
    return reply.code(200).send();
  });
}
