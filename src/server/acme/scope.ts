// The ACME scope (RFC 8555, SPEC 20) at {BASE_URL}/acme: its own encapsulated Fastify scope beside
// /api and /pki. None of /api's sessions, CSRF, guard or problem format apply; ACME's do: every POST
// is a JWS (jws.ts) with a fresh nonce (nonces.ts, valid on every server) whose key is either an
// account's (kid) or, for newAccount and revokeCert, the key itself (jwk). Errors are ACME problem
// documents (problems.ts). A plain GET of a resource other than the directory, newNonce and
// renewalInfo is 405 (§6.3); nothing under /acme/ falls through to the dashboard.
//
// Each handler reads and checks, then calls one command; the commands are certdesk's own where the
// work is the same as a member's (opening, validating, charging, issuing, revoking an order).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JWK } from "jose";
import { AppError } from "../errors.js";
import { openHmacKey } from "../commands/acme-credentials.js";
import { revokeCertificate } from "../commands/revoke-certificate.js";
import type { Services } from "../routes/route-kit.js";
import type { AcmeAccount } from "./accounts.js";
import { assertUsable, changeKey, checkContact, createAccount, deactivateAccount, findAccount, findAccountByKey, touchAccount, updateContact } from "./accounts.js";
import { deactivateAuthorization, startChallenge } from "./challenges.js";
import { teamCtxFor } from "./context.js";
import { verifyBinding } from "./eab.js";
import { finalizeOrder } from "./finalize.js";
import { parseFlattened, protectedHeaderOf, publicKeyOf, verifiedPayload } from "./jws.js";
import type { ProtectedHeader } from "./jws.js";
import { newOrder } from "./new-order.js";
import { NonceStore } from "./nonces.js";
import { loadAcmeOrder } from "./order-state.js";
import type { AcmeOrderState, AuthzState } from "./order-state.js";
import { ACME_PREFIX, AcmeUrls, CHALLENGE_TYPES, ROUTES } from "./paths.js";
import type { ChallengeType } from "./paths.js";
import { presentAccount, presentAuthorization, presentChallenge, presentOrder } from "./present.js";
import { AcmeProblem, fromAppError } from "./problems.js";
import { RENEWAL_INFO_RETRY_SECONDS, renewalInfo } from "./renewal-info.js";
import { issuedCertificate, parseRevocation, signedByCertificateKey } from "./revocation.js";

export { ACME_PREFIX };

/** A JWS body is small: the largest is a finalize with an RSA-4096 CSR, or a keyChange. */
const MAX_JWS_BYTES = 64 * 1024;
const ORDERS_PAGE = 50;
/** What a client waits before asking again about a challenge or order in progress (§7.5.1, §7.4). */
const RETRY_AFTER_SECONDS = 1;

export interface AcmeScopeOptions {
  services: Services;
}

interface Signed {
  header: ProtectedHeader;
  payload: Record<string, unknown> | null;
  /** Set when the request was signed with an account's key (kid). */
  account?: AcmeAccount;
  /** Set when the request was signed with a key it carries (jwk). */
  jwk?: JWK;
}

type Params<K extends string> = { Params: Record<K, string> };

export async function acmeScope(acme: FastifyInstance, { services }: AcmeScopeOptions): Promise<void> {
  const { db, clock, config } = services;
  const urls = new AcmeUrls(config.baseUrl);
  const nonces = new NonceStore(db, clock);

  // Only JWS bodies: the root's JSON parser (and any other) does not apply here.
  acme.removeAllContentTypeParsers();
  acme.addContentTypeParser("application/jose+json", { parseAs: "string", bodyLimit: MAX_JWS_BYTES }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AcmeProblem("malformed", "The request body is not JSON."), undefined);
    }
  });

  acme.addHook("onSend", async (request, reply) => {
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    if (request.routeOptions.url !== `${ACME_PREFIX}${ROUTES.directory}`) {
      // Beside, not instead of, a Link the route set: certbot and lego follow a challenge's rel="up"
      // to its authorization (§7.5.1), and an orders page's rel="next" leads on (§7.1.2.1).
      const set = reply.getHeader("link");
      reply.header("link", [...(set === undefined ? [] : [set].flat().map(String)), `<${urls.directory}>;rel="index"`]);
    }
    // Every answer to a POST carries the next nonce, errors included (§6.5), so a client never needs newNonce twice.
    if (request.method === "POST" && !reply.hasHeader("replay-nonce")) reply.header("replay-nonce", await nonces.issue());
  });

  acme.setErrorHandler(async (error, request, reply) => {
    const problem = toAcmeProblem(error, request, services);
    if (problem.extra.retryAfterSeconds !== undefined) reply.header("retry-after", String(problem.extra.retryAfterSeconds));
    if (problem.extra.location) reply.header("location", problem.extra.location);
    // badNonce must hand out a good one to retry with (§6.5); every error may.
    reply.header("replay-nonce", await nonces.issue());
    return reply.code(problem.status).type("application/problem+json").send(problem.document());
  });
  acme.setNotFoundHandler(async (request, reply) => {
    const problem = new AcmeProblem("malformed", `No ACME resource at ${request.method} ${request.url.split("?")[0]}.`, { status: 404 });
    return reply.code(404).type("application/problem+json").send(problem.document());
  });

  /** Parses, checks and verifies the JWS; `accept` says which kind of key the resource takes. */
  async function signed(request: FastifyRequest, accept: "account" | "jwk" | "either"): Promise<Signed> {
    const jws = parseFlattened(request.body);
    const expected = `${urls.root}${request.url.slice(ACME_PREFIX.length)}`;
    const header = protectedHeaderOf(jws, expected);
    if (header.nonce === undefined) throw new AcmeProblem("badNonce", "The JWS protected header must carry a nonce from newNonce or a Replay-Nonce.");
    if (!(await nonces.consume(header.nonce))) throw new AcmeProblem("badNonce", "This nonce is unknown, used or expired; retry with the Replay-Nonce of this answer.");
    if (header.jwk) {
      if (accept === "account") throw new AcmeProblem("malformed", "This resource takes requests signed by an account (kid), not a jwk.");
      const key = await publicKeyOf(header.jwk, header.alg);
      return { header, payload: await verifiedPayload(jws, key, header.alg), jwk: header.jwk };
    }
    if (accept === "jwk") throw new AcmeProblem("malformed", "newAccount is signed with the account's key itself (jwk), not a kid.");
    const accountId = urls.accountIdOf(header.kid!);
    const account = accountId ? await findAccount(db.kysely, accountId) : undefined;
    if (!account) throw new AcmeProblem("accountDoesNotExist", `There is no account ${header.kid}.`);
    const key = await publicKeyOf(account.jwk, header.alg);
    const payload = await verifiedPayload(jws, key, header.alg);
    assertUsable(account);
    services.background.run("record an ACME account's last use", request.log, () => touchAccount(services, account.id));
    return { header, payload, account };
  }

  const accountOf = (s: Signed): AcmeAccount => s.account!;
  const isPostAsGet = (s: Signed) => s.payload === null;

  /** The account's own order: another account's (of any team) is as absent as one never made. */
  async function orderOf(account: AcmeAccount, orderId: string): Promise<AcmeOrderState> {
    const order = await loadAcmeOrder(db.kysely, orderId, clock.now());
    if (!order || order.accountId !== account.id) throw new AcmeProblem("malformed", "No such order.", { status: 404 });
    return order;
  }

  async function authzOf(account: AcmeAccount, authzId: string): Promise<AuthzState> {
    const row = await db.kysely.selectFrom("acmeAuthorizations").select("orderId").where("id", "=", authzId).executeTakeFirst();
    const order = row && (await loadAcmeOrder(db.kysely, row.orderId, clock.now()));
    const authz = order?.accountId === account.id ? order.authorizations.find((a) => a.id === authzId) : undefined;
    if (!authz) throw new AcmeProblem("malformed", "No such authorization.", { status: 404 });
    return authz;
  }

  function sendOrder(reply: FastifyReply, order: AcmeOrderState, status = 200) {
    if (order.status === "processing") reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return reply.code(status).header("location", urls.order(order.id)).send(presentOrder(urls, order));
  }

  // A plain GET of a POST-only resource (§6.3).
  const postOnly = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header("allow", "POST");
    throw new AcmeProblem("malformed", "ACME resources other than the directory and newNonce are fetched with POST-as-GET (RFC 8555 §6.3).", { status: 405 });
  };
  const post = <P extends string>(path: string, handler: (request: FastifyRequest<Params<P>>, reply: FastifyReply) => Promise<unknown>) => {
    acme.post(path, handler as never);
    acme.get(path, postOnly);
  };

  acme.get(ROUTES.directory, async () => ({
    newNonce: urls.newNonce,
    newAccount: urls.newAccount,
    newOrder: urls.newOrder,
    revokeCert: urls.revokeCert,
    keyChange: urls.keyChange,
    renewalInfo: urls.renewalInfoBase,
    meta: {
      website: config.baseUrl,
      caaIdentities: [config.caaIdentity],
      externalAccountRequired: true,
    },
  }));

  // newNonce (§7.2): HEAD answers 200, GET 204; both only carry the nonce.
  acme.route({
    method: "HEAD",
    url: ROUTES.newNonce,
    handler: async (_request, reply) => reply.header("replay-nonce", await nonces.issue()).code(200).send(),
  });
  acme.get(ROUTES.newNonce, { exposeHeadRoute: false }, async (_request, reply) => reply.header("replay-nonce", await nonces.issue()).code(204).send());

  post(ROUTES.newAccount, async (request, reply) => {
    const s = await signed(request, "jwk");
    const payload = s.payload ?? {};
    const existing = await findAccountByKey(db.kysely, s.jwk!);
    if (existing) return reply.code(200).header("location", urls.account(existing.id)).send(presentAccount(urls, existing));
    if (payload.onlyReturnExisting === true) throw new AcmeProblem("accountDoesNotExist", "No account has this key.");
    if (payload.externalAccountBinding === undefined) {
      throw new AcmeProblem("externalAccountRequired", "certdesk requires External Account Binding: create an ACME credential in your team and pass its key id and HMAC key.");
    }
    const credential = await verifyBinding(payload.externalAccountBinding, { url: s.header.url, jwk: s.jwk! }, async (keyId) => {
      const row = await db.kysely.selectFrom("acmeCredentials").select(["id", "teamId", "hmacKeySealed", "revokedAt"]).where("keyId", "=", keyId).executeTakeFirst();
      return row && { id: row.id, teamId: row.teamId, revoked: row.revokedAt !== null, hmacKey: openHmacKey(services, row) };
    });
    const contact = checkContact(payload.contact);
    const team = await db.kysely.selectFrom("acmeCredentials").select("teamId").where("id", "=", credential.id).executeTakeFirstOrThrow();
    const { account, created } = await createAccount(services, { credential: { id: credential.id, teamId: team.teamId }, jwk: s.jwk!, contact });
    return reply.code(created ? 201 : 200).header("location", urls.account(account.id)).send(presentAccount(urls, account));
  });

  post<"accountId">(ROUTES.account, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    if (account.id !== request.params.accountId) throw new AcmeProblem("unauthorized", "A request about an account must be signed by that account.");
    const payload = s.payload ?? {};
    if (payload.status !== undefined && payload.status !== "deactivated") throw new AcmeProblem("malformed", 'The only status a client may set is "deactivated".');
    if (payload.contact !== undefined) await updateContact(services, account, checkContact(payload.contact));
    if (payload.status === "deactivated") await deactivateAccount(services, account);
    const now = (await findAccount(db.kysely, account.id))!;
    return reply.header("location", urls.account(account.id)).send(presentAccount(urls, now));
  });

  post<"accountId">(ROUTES.accountOrders, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    if (account.id !== request.params.accountId) throw new AcmeProblem("unauthorized", "Only the account itself lists its orders.");
    const after = (request.query as { cursor?: string }).cursor;
    let query = db.kysely.selectFrom("acmeOrders").select("orderId").where("accountId", "=", account.id).orderBy("orderId", "desc").limit(ORDERS_PAGE + 1);
    if (after) query = query.where("orderId", "<", after);
    const rows = await query.execute();
    const page = rows.slice(0, ORDERS_PAGE);
    if (rows.length > ORDERS_PAGE) reply.header("link", `<${urls.accountOrders(account.id)}?cursor=${page.at(-1)!.orderId}>;rel="next"`);
    return { orders: page.map((r) => urls.order(r.orderId)) };
  });

  post(ROUTES.keyChange, async (request, reply) => {
    const s = await signed(request, "account");
    const account = accountOf(s);
    if (!s.payload) throw new AcmeProblem("malformed", "keyChange carries an inner JWS signed by the new key.");
    const inner = parseFlattened(s.payload);
    const innerHeader = protectedHeaderOf(inner, s.header.url);
    if (!innerHeader.jwk) throw new AcmeProblem("malformed", "The inner JWS of keyChange is signed with the new key, carried as jwk.");
    if (innerHeader.nonce !== undefined) throw new AcmeProblem("malformed", "The inner JWS of keyChange carries no nonce.");
    const innerPayload = await verifiedPayload(inner, await publicKeyOf(innerHeader.jwk, innerHeader.alg), innerHeader.alg);
    if (innerPayload?.account !== urls.account(account.id)) throw new AcmeProblem("malformed", "The inner JWS must name this account (account).");
    const oldKey = innerPayload.oldKey as JWK | undefined;
    const sameOld = oldKey && typeof oldKey === "object" && (await findAccountByKey(db.kysely, oldKey).catch(() => undefined))?.id === account.id;
    if (!sameOld) throw new AcmeProblem("malformed", "oldKey must be the account's current key.");
    await changeKey(services, account, innerHeader.jwk, (id) => urls.account(id));
    return reply.header("location", urls.account(account.id)).send(presentAccount(urls, (await findAccount(db.kysely, account.id))!));
  });

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

  acme.get<Params<"certId">>(ROUTES.renewalInfo, async (request, reply) => {
    const info = await renewalInfo(db.kysely, request.params.certId, clock.now());
    return reply.header("retry-after", String(RENEWAL_INFO_RETRY_SECONDS)).send(info);
  });
}

function toAcmeProblem(error: unknown, request: FastifyRequest, services: Services): AcmeProblem {
  if (error instanceof AcmeProblem) return error;
  if (error instanceof AppError) return fromAppError(error);
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 415) return new AcmeProblem("malformed", "ACME requests are sent as application/jose+json.", { status: 415 });
  if (status === 413) return new AcmeProblem("malformed", "The request body is too large for an ACME request.", { status: 413 });
  if (status !== undefined && status < 500) return new AcmeProblem("malformed", (error as Error).message);
  (request.log ?? services.log)?.error({ err: error }, "ACME request failed");
  return new AcmeProblem("serverInternal", "Something went wrong on certdesk's side.");
}
