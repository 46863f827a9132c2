// /api/teams/:teamId/orders/:orderId/csr and /certificate: submit a CSR (issuing or reissuing when
// the order is ready), download the certificate with its chain, and revoke it (SPEC 18).
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { revokeCertificate } from "../commands/revoke-certificate.js";
import { submitCsr } from "../commands/submit-csr.js";
import { currentCertificateBundle } from "../queries/certificates.js";
import { CsrBody, Order, RevokeBody } from "../../shared/schemas/orders.js";
import { attachmentDisposition } from "./content-disposition.js";
import type { Services } from "./route-kit.js";
import { orderSeenBy, problems, teamCtxOf, typed } from "./route-kit.js";
import { OrderParams } from "./params.js";

const tags = ["certificates"];

export function certificateRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.post(
    "/teams/:teamId/orders/:orderId/csr",
    {
      config: { access: "certificates.manage" },
      schema: {
        tags,
        summary: "Submit a PEM CSR whose names are exactly the order's domains; issues when validated, reissues when already issued",
        params: OrderParams,
        body: CsrBody,
        // 422: an OV/EV order without its organization profile or a document (commands/issuance.ts).
        response: { 200: Type.Object({ order: Order }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const ctx = teamCtxOf(request, services);
      await submitCsr(ctx, orderId, request.body.csr);
      return { order: await orderSeenBy(ctx, orderId) };
    },
  );

  app.post(
    "/teams/:teamId/orders/:orderId/revoke",
    {
      config: { access: "certificates.manage" },
      schema: {
        tags,
        summary:
          "Revoke the current certificate with a reason (unspecified, keyCompromise, superseded, cessationOfOperation, affiliationChanged); the CRL and OCSP say so from then on",
        params: OrderParams,
        body: RevokeBody,
        response: { 200: Type.Object({ order: Order }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const ctx = teamCtxOf(request, services);
      await revokeCertificate(ctx, orderId, request.body.reason);
      return { order: await orderSeenBy(ctx, orderId) };
    },
  );

  app.get(
    "/teams/:teamId/orders/:orderId/certificate",
    {
      config: { access: "certificates.manage" },
      schema: {
        tags,
        summary: "The current certificate as application/x-pem-file: the leaf, then the intermediate and the root",
        params: OrderParams,
        produces: ["application/x-pem-file"],
        response: { 200: Type.Unsafe<string>({ type: "string", description: "PEM: leaf, intermediate, root" }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const bundle = await currentCertificateBundle(services.db.kysely, request.params.teamId, request.params.orderId);
      const name = `${bundle.firstDomain.replace(/^\*\./, "star.")}.pem`;
      return reply.type("application/x-pem-file").header("content-disposition", attachmentDisposition(name)).send(bundle.pem);
    },
  );
}
