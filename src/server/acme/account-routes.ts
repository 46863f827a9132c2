// ACME's account resources (RFC 8555 §7.3): newAccount with External Account Binding and
// onlyReturnExisting, an account's update and deactivation, its orders, and keyChange.
import type { JWK } from "jose";
import { openHmacKey } from "../commands/acme-credentials.js";
import { changeKey, checkContact, createAccount, deactivateAccount, findAccount, findAccountByKey, updateContact } from "./accounts.js";
import { verifyBinding } from "./eab.js";
import { parseFlattened, protectedHeaderOf, publicKeyOf, verifiedPayload } from "./jws.js";
import type { AcmeKit } from "./kit.js";
import { ROUTES } from "./paths.js";
import { presentAccount } from "./present.js";
import { AcmeProblem } from "./problems.js";

const ORDERS_PAGE = 50;

export function registerAccountRoutes({ services, urls, signed, post, accountOf }: AcmeKit): void {
  const { db } = services;

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
    const { account, created } = await createAccount(services, { credential, jwk: s.jwk!, contact });
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
}
