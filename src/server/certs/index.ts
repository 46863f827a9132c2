// The demonstration CA and CSR checks (SPEC.md, "The certificate account").
export { DemoCa, MAX_VALIDITY_DAYS, ROOT_NAME, INTERMEDIATE_NAME } from "./ca.js";
export type { IssueInput, IssuedCertificate } from "./ca.js";
export { parseCsr, assertCsrNamesMatch } from "./csr.js";
export { MAX_CSR_BYTES } from "../../shared/formats.js";
export type { ParsedCsr } from "./csr.js";
export { isDnsName, canonicalNames } from "./dns-name.js";
export { CaStoreError, CA_FILES } from "./store.js";
