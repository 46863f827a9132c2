// The one place that loads @peculiar/x509: reflect-metadata must be evaluated before it
// (tsyringe checks at import time) and the library needs a WebCrypto provider on Node.
// Other modules import `x509` from here, never "@peculiar/x509" directly, so the order holds.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

// Node's webcrypto is the WebCrypto API; its TypeScript type differs from the DOM `Crypto` in name only.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509, webcrypto };
