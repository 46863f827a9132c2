import type { OrderDto as Order, OrderStatus, ProductDto as Product, ValidationMethod } from "../../../shared/schemas";

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending_validation: "Pending validation",
  issued: "Issued",
  revoked: "Revoked",
  refunded: "Refunded",
};

export const STATUS_TONES: Record<OrderStatus, "amber" | "green" | "neutral"> = {
  pending_validation: "amber",
  issued: "green",
  revoked: "neutral",
  refunded: "neutral",
};

export const METHOD_LABELS: Record<ValidationMethod, string> = {
  email: "E-mail",
  http: "HTTP file",
  dns: "DNS record",
};

/** The method inside a sentence: "validated by DNS record", "waiting for e-mail". */
export const METHOD_NOUNS: Record<ValidationMethod, string> = {
  email: "e-mail",
  http: "HTTP file",
  dns: "DNS record",
};

export const PRODUCT_TYPE_TEXT: Record<Product["type"], string> = {
  DV: "Domain validated",
  OV: "Organisation validated",
  EV: "Extended validation",
};

/** A short, stable handle for an order in lists and links: the id's last 8 characters. */
export function shortId(id: string): string {
  return id.replace(/-/g, "").slice(-8).toUpperCase();
}

/** "example.com", "example.com and 2 more". */
export function domainsSummary(domains: readonly string[]): string {
  if (domains.length === 0) return "—";
  return domains.length === 1 ? domains[0]! : `${domains[0]} and ${domains.length - 1} more`;
}

export function productName(products: readonly Product[] | undefined, productId: string): string {
  return products?.find((p) => p.id === productId)?.name ?? productId;
}

export function validatedCount(order: Order): number {
  return order.validation.filter((step) => step.completed).length;
}

/** The command that makes a key and a CSR naming exactly the order's domains. */
export function opensslCommand(domains: readonly string[]): string {
  const first = domains[0] ?? "example.com";
  const sans = domains.map((d) => `DNS:${d}`).join(",");
  return `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -subj "/CN=${first}" -addext "subjectAltName=${sans}"`;
}

/** "12 days left", "1 day left", "Ended", "Revoked": whole days from now, rounded up, so the last day reads "1 day left". */
export function daysLeftText(certificate: { notAfter: string; revokedAt: string | null }, now = Date.now()): string {
  if (certificate.revokedAt) return "Revoked";
  const left = Date.parse(certificate.notAfter) - now;
  if (left <= 0) return "Ended";
  const days = Math.ceil(left / 86_400_000);
  return days === 1 ? "1 day left" : `${days} days left`;
}

export const SOURCE_LABELS: Record<Order["source"], string> = { dashboard: "Dashboard", api: "API", acme: "ACME" };

/**
 * Who placed an order, in words: the person; "An API key of …"; or, for an order placed by an ACME
 * client, its account, the credential it registered with and that credential's creator.
 */
export function placedByText(order: Pick<Order, "placedBy" | "acmeCredential">): string {
  const { placedBy } = order;
  if (placedBy.type === "apiKey") return `An API key of ${placedBy.email}`;
  if (placedBy.type === "acmeAccount") {
    const credential = order.acmeCredential ? `credential “${order.acmeCredential.name}”, ` : "";
    return `ACME account ${shortId(placedBy.id)} (${credential}created by ${placedBy.email})`;
  }
  return placedBy.email;
}
