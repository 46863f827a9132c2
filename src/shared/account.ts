// The certificate account's closed vocabularies, shared by the server's checks, its schemas and the
// dashboard's pickers. Plain constants: importing them bundles no TypeBox.

/** How a domain's control is proven. */
export const VALIDATION_METHODS = ["email", "http", "dns"] as const;
export type ValidationMethod = (typeof VALIDATION_METHODS)[number];

/** The brands the server accepts; a card is known by its brand and last four digits only. */
export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "jcb", "diners", "unionpay"] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];
