// The ACME scope (RFC 8555, SPEC 20) at {BASE_URL}/acme: its own encapsulated Fastify scope beside
// /api and /pki. None of /api's sessions, CSRF, guard or problem format apply; ACME's do: every POST
// is a JWS (jws.ts) with a fresh nonce (nonces.ts, valid on every server) whose key is either an
// account's (kid) or, for newAccount and revokeCert, the key itself (jwk). Errors are ACME problem
// documents (problems.ts). A plain GET of a resource other than the directory, newNonce and
// renewalInfo is 405 (§6.3); nothing under /acme/ falls through to the dashboard.
//
// The resources are registered by account-routes.ts and order-routes.ts, through the kit (kit.ts)
// this scope builds: the verified request, and the lookups every resource shares.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.js";
import type { Services } from "../routes/route-kit.js";
import { registerAccountRoutes } from "./account-routes.js";
import type { AcmeAccount } from "./accounts.js";
import { LastUseRecorder } from "../auth/last-use.js";
import { assertUsable, findAccount, writeAccountUse } from "./accounts.js";
import { parseFlattened, protectedHeaderOf, publicKeyOf, verifiedPayload } from "./jws.js";
import { RETRY_AFTER_SECONDS } from "./kit.js";
import type { AcmeKit, Params, PostHandler, Signed } from "./kit.js";
import { NonceStore } from "./nonces.js";
import { registerOrderRoutes } from "./order-routes.js";
import { loadAcmeOrder } from "./order-state.js";
import type { AcmeOrderState, AuthzState } from "./order-state.js";
import { ACME_PREFIX, AcmeUrls, ROUTES } from "./paths.js";
import { presentOrder } from "./present.js";
import { AcmeProblem, fromAppError } from "./problems.js";
import { RENEWAL_INFO_RETRY_SECONDS, renewalInfo } from "./renewal-info.js";

export { ACME_PREFIX };

/** A JWS body is small: the largest is a finalize with an RSA-4096 CSR, or a keyChange. */
const MAX_JWS_BYTES = 64 * 1024;

export interface AcmeScopeOptions {
  services: Services;
}

export async function acmeScope(acme: FastifyInstance, { services }: AcmeScopeOptions): Promise<void> {
  const { db, clock, config } = services;
  const urls = new AcmeUrls(config.baseUrl);
  const nonces = new NonceStore(db, clock);
  const accountUses = new LastUseRecorder(clock, (id, at) => writeAccountUse(db.kysely, id, at), (job) =>
    services.background.run("record an ACME account's last use", acme.log, job),
  );

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
    accountUses.used(account.id);
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
  const post = <P extends string>(path: string, handler: PostHandler<P>) => {
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

  acme.get<Params<"certId">>(ROUTES.renewalInfo, async (request, reply) => {
    const info = await renewalInfo(db.kysely, request.params.certId, clock.now());
    return reply.header("retry-after", String(RENEWAL_INFO_RETRY_SECONDS)).send(info);
  });

  const kit: AcmeKit = { services, urls, signed, post, orderOf, authzOf, sendOrder, accountOf, isPostAsGet };
  registerAccountRoutes(kit);
  registerOrderRoutes(kit);
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
