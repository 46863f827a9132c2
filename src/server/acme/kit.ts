// What the ACME scope hands the modules that register its routes: the verified request of a POST
// (scope.ts `signed`), and the lookups every resource route shares. One request flow, many routes.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { JWK } from "jose";
import type { Services } from "../routes/route-kit.js";
import type { AcmeAccount } from "./accounts.js";
import type { ProtectedHeader } from "./jws.js";
import type { AcmeOrderState, AuthzState } from "./order-state.js";
import type { AcmeUrls } from "./paths.js";

/** What a client waits before asking again about a challenge or order in progress (§7.5.1, §7.4). */
export const RETRY_AFTER_SECONDS = 1;

export interface Signed {
  header: ProtectedHeader;
  payload: Record<string, unknown> | null;
  /** Set when the request was signed with an account's key (kid). */
  account?: AcmeAccount;
  /** Set when the request was signed with a key it carries (jwk). */
  jwk?: JWK;
}

export type Params<K extends string> = { Params: Record<K, string> };
export type PostHandler<P extends string> = (request: FastifyRequest<Params<P>>, reply: FastifyReply) => Promise<unknown>;

export interface AcmeKit {
  services: Services;
  urls: AcmeUrls;
  /** Parses, checks and verifies the JWS; `accept` says which kind of key the resource takes. */
  signed(request: FastifyRequest, accept: "account" | "jwk" | "either"): Promise<Signed>;
  /** Registers a POST resource; a plain GET of it answers 405 (RFC 8555 §6.3). */
  post<P extends string>(path: string, handler: PostHandler<P>): void;
  /** The account's own order or authorization: another account's is as absent as one never made. */
  orderOf(account: AcmeAccount, orderId: string): Promise<AcmeOrderState>;
  authzOf(account: AcmeAccount, authzId: string): Promise<AuthzState>;
  sendOrder(reply: FastifyReply, order: AcmeOrderState, status?: number): FastifyReply;
  accountOf(s: Signed): AcmeAccount;
  isPostAsGet(s: Signed): boolean;
}
