// The public PKI scope (SPEC 18, API.md "Revocation, CRL and OCSP"): what relying parties fetch
// without an account — the root and the issuing CA's certificate (AIA caIssuers), the issuing CA's
// CRL (CRL Distribution Points) and its OCSP responder (AIA OCSP), at the URLs certs/profile.ts
// puts in every certificate. Its own encapsulated Fastify scope beside /api: no session, no CSRF,
// no guard, its own headers (public, cacheable: every answer is signed or is a CA certificate) and
// its own errors (OCSP errors are OCSP responses; anything else a short problem+json).
import type { FastifyInstance, FastifyReply } from "fastify";
import { OCSPResponseStatus } from "@peculiar/asn1-ocsp";
import { buildCrl } from "./certs/crl.js";
import { answerOcsp, ocspError } from "./certs/ocsp.js";
import { PKI_PATHS } from "./certs/profile.js";
import { AppError } from "./errors.js";
import { sendProblem } from "./plugins/errors.js";
import { nextCrlNumber, revokedEntries, serialStatus } from "./queries/revocations.js";
import type { Services } from "./routes/route-kit.js";

const MAX_OCSP_REQUEST_BYTES = 10 * 1024;
/** A CRL is re-signed at most this often while nothing changes (it stays valid for days). */
const CRL_REUSE_MS = 60 * 60 * 1000;
const CRL_MAX_AGE_S = 300;
/** Register with `{ prefix: PKI_PREFIX }`; the paths inside are relative to it. */
export const PKI_PREFIX = "/pki";
const local = (full: string) => full.slice(PKI_PREFIX.length);

export interface PkiScopeOptions {
  services: Services;
}

export async function pkiScope(pki: FastifyInstance, { services }: PkiScopeOptions): Promise<void> {
  const { db, clock } = services;
  pki.addHook("onSend", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("access-control-allow-origin", "*");
  });
  pki.addContentTypeParser("application/ocsp-request", { parseAs: "buffer", bodyLimit: MAX_OCSP_REQUEST_BYTES }, (_request, body, done) =>
    done(null, body),
  );
  pki.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (error instanceof AppError) return sendProblem(reply, error);
    if (status === 413) return sendProblem(reply, new AppError("payload_too_large", "An OCSP request is at most 10 KiB."));
    if (status === 415) return sendProblem(reply, new AppError("unsupported_media_type", "Send application/ocsp-request."));
    if (status !== undefined && status < 500) return sendProblem(reply, new AppError("invalid_request", (error as Error).message));
    services.log?.error({ err: error }, "public PKI route failed");
    return sendProblem(reply, new AppError("internal", "Something went wrong."));
  });
  pki.setNotFoundHandler((request, reply) => sendProblem(reply, new AppError("not_found", `No route for ${request.method} ${request.url.split("?")[0]}.`)));

  const cacheable = (reply: FastifyReply, seconds: number) => reply.header("cache-control", `public, max-age=${seconds}`);
  const day = 24 * 60 * 60;

  pki.get(local(PKI_PATHS.rootPem), async (_request, reply) => cacheable(reply, day).type("application/x-pem-file").send((await services.ca.get()).rootPem));
  pki.get(local(PKI_PATHS.rootDer), async (_request, reply) =>
    cacheable(reply, day).type("application/pkix-cert").send(Buffer.from((await services.ca.get()).rootCertificate.rawData)),
  );
  pki.get(local(PKI_PATHS.intermediatePem), async (_request, reply) =>
    cacheable(reply, day).type("application/x-pem-file").send((await services.ca.get()).intermediatePem),
  );
  pki.get(local(PKI_PATHS.intermediateDer), async (_request, reply) =>
    cacheable(reply, day).type("application/pkix-cert").send(Buffer.from((await services.ca.get()).issuing.certificate.rawData)),
  );

  // The CRL is re-signed (with the next number) when the revoked list changed or after an hour.
  let cached: { fingerprint: string; at: number; der: Buffer } | undefined;
  pki.get(local(PKI_PATHS.crl), async (_request, reply) => {
    const ca = (await services.ca.get()).issuing;
    const now = clock.now();
    const entries = await revokedEntries(db, now);
    const fingerprint = entries.map((e) => `${e.serialNumber}:${e.reason}:${e.revokedAt.toISOString()}`).join(",");
    if (!cached || cached.fingerprint !== fingerprint || now.getTime() - cached.at > CRL_REUSE_MS || now.getTime() < cached.at) {
      const number = await nextCrlNumber(db, ca.certificate.serialNumber, now);
      cached = { fingerprint, at: now.getTime(), der: Buffer.from(await buildCrl(ca, { number, thisUpdate: now, entries })) };
    }
    return cacheable(reply, CRL_MAX_AGE_S).type("application/pkix-crl").send(cached.der);
  });

  const ocsp = async (der: Uint8Array | undefined, reply: FastifyReply) => {
    const ca = (await services.ca.get()).issuing;
    const answer = der ? await answerOcsp(ca, der, (serial) => serialStatus(db, serial), clock.now()) : ocspError(OCSPResponseStatus.malformedRequest);
    return reply.header("cache-control", "public, max-age=60").type("application/ocsp-response").send(Buffer.from(answer));
  };
  pki.post(local(PKI_PATHS.ocsp), async (request, reply) => ocsp(Buffer.isBuffer(request.body) ? request.body : undefined, reply));
  // RFC 6960 A.1: GET {url}/{url-encoding of base64 of the DER request}.
  pki.get(`${local(PKI_PATHS.ocsp)}/*`, async (request, reply) => {
    const encoded = decodeURIComponent((request.params as { "*": string })["*"]);
    const der = /^[A-Za-z0-9+/=_-]+$/.test(encoded) ? Buffer.from(encoded.replace(/-/g, "+").replace(/_/g, "/"), "base64") : undefined;
    return ocsp(der && der.length > 0 ? der : undefined, reply);
  });
}


