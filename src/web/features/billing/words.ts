import type { CardBrand } from "../../../shared/account";
import type { BillingProfileDto as BillingProfile } from "../../../shared/schemas";

export const CARD_BRAND_LABELS: Record<CardBrand, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  jcb: "JCB",
  diners: "Diners Club",
  unionpay: "UnionPay",
};

export function cardBrandLabel(brand: string): string {
  return CARD_BRAND_LABELS[brand as CardBrand] ?? brand;
}

/** "Visa •••• 4242" */
export function cardText(profile: Pick<BillingProfile, "cardBrand" | "cardLast4">): string {
  return `${cardBrandLabel(profile.cardBrand)} •••• ${profile.cardLast4}`;
}

/** "Main office · Visa •••• 4242" */
export function profileText(profile: BillingProfile): string {
  return `${profile.name} · ${cardText(profile)}`;
}

/** The countries most customers pick; any other ISO 3166-1 alpha-2 code can be typed. */
export const COMMON_COUNTRIES = ["US", "GB", "DE", "FR", "NL", "CA", "AU", "IE", "ES", "IT", "SE", "CH", "AT", "BE", "DK", "NO", "FI", "PL", "PT", "JP", "SG", "IN", "BR", "NZ"] as const;

let regionNames: Intl.DisplayNames | null | undefined;

/** "DE" → "Germany" (in the browser's language), or the code itself. */
export function countryName(code: string): string {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(undefined, { type: "region" });
    } catch {
      regionNames = null;
    }
  }
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}
