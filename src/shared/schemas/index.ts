// Every API shape, by area. The dashboard imports from here with `import type` only.
export * from "./common.js";
export * from "./users.js";
export * from "./teams.js";
export * from "./invitations.js";
export * from "./orders.js";
export * from "./billing.js";
export * from "./documents.js";
export * from "./audit.js";
export * from "./api-keys.js";
export * from "./acme-credentials.js";
export * from "./domains.js";
export * from "./organization.js";
