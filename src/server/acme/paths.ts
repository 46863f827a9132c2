// Where each ACME resource lives (RFC 8555 §7.1). The JWS `url` a client signs must be exactly the
// URL it posts to, so one module builds both the URLs the server hands out and the routes it
// registers; BASE_URL is the deployment's public address, the same on every server.
export const ACME_PREFIX = "/acme";

/** Route paths inside the scope (registered with `{ prefix: ACME_PREFIX }`). */
export const ROUTES = {
  directory: "/directory",
  newNonce: "/new-nonce",
  newAccount: "/new-account",
  newOrder: "/new-order",
  revokeCert: "/revoke-cert",
  keyChange: "/key-change",
  renewalInfo: "/renewal-info/:certId",
  account: "/acct/:accountId",
  accountOrders: "/acct/:accountId/orders",
  order: "/order/:orderId",
  finalize: "/order/:orderId/finalize",
  authorization: "/authz/:authzId",
  challenge: "/chall/:authzId/:type",
  certificate: "/cert/:orderId",
} as const;

export type ChallengeType = "http-01" | "dns-01";
export const CHALLENGE_TYPES: readonly ChallengeType[] = ["http-01", "dns-01"];

/** The absolute URLs of one deployment's ACME resources. */
export class AcmeUrls {
  readonly root: string;

  constructor(baseUrl: string) {
    this.root = `${baseUrl.replace(/\/+$/, "")}${ACME_PREFIX}`;
  }

  get directory(): string { return `${this.root}${ROUTES.directory}`; }
  get newNonce(): string { return `${this.root}${ROUTES.newNonce}`; }
  get newAccount(): string { return `${this.root}${ROUTES.newAccount}`; }
  get newOrder(): string { return `${this.root}${ROUTES.newOrder}`; }
  get revokeCert(): string { return `${this.root}${ROUTES.revokeCert}`; }
  get keyChange(): string { return `${this.root}${ROUTES.keyChange}`; }
  get renewalInfoBase(): string { return `${this.root}/renewal-info`; }
  account(id: string): string { return `${this.root}/acct/${id}`; }
  accountOrders(id: string): string { return `${this.root}/acct/${id}/orders`; }
  order(id: string): string { return `${this.root}/order/${id}`; }
  finalize(orderId: string): string { return `${this.root}/order/${orderId}/finalize`; }
  authorization(id: string): string { return `${this.root}/authz/${id}`; }
  challenge(authzId: string, type: ChallengeType): string { return `${this.root}/chall/${authzId}/${type}`; }
  certificate(orderId: string): string { return `${this.root}/cert/${orderId}`; }

  /** The account id a `kid` names, or undefined when it is not one of this deployment's account URLs. */
  accountIdOf(kid: string): string | undefined {
    const prefix = `${this.root}/acct/`;
    if (!kid.startsWith(prefix)) return undefined;
    const id = kid.slice(prefix.length);
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
  }
}
