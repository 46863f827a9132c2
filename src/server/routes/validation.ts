// /api/teams/:teamId/orders/:orderId/validation: each domain's domain-control step — see it,
// choose its method, have certdesk check it (SPEC 14). The last successful check (with a CSR on
// file, and CAA allowing it) issues the order. Nobody marks a step complete by hand.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { chooseValidationMethod } from "../commands/choose-validation-method.js";
import { checkValidationStep } from "../commands/check-validation-step.js";
import { getOrder } from "../queries/orders.js";
import { Id } from "../../shared/schemas/common.js";
import { Order, ValidationMethodBody } from "../../shared/schemas/orders.js";
import type { Services } from "./route-kit.js";
import { membershipOf, orderSeenBy, problems, teamCtxOf, typed } from "./route-kit.js";
import { OrderParams } from "./params.js";

const tags = ["validation"];
const OrderAnswer = Type.Object({ order: Order });

/** A domain of the order as it appears in the path; a wildcard arrives URL-encoded as %2A.example.com. */
const StepParams = Type.Object(
  {
    teamId: Id,
    orderId: Id,
    domain: Type.String({ minLength: 1, maxLength: 253, pattern: "^(\\*\\.)?[A-Za-z0-9.-]+$", description: "One of the order's domains, e.g. www.example.com or *.example.com (URL-encoded)." }),
  },
  { additionalProperties: false },
);

export function validationRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.get(
    "/teams/:teamId/orders/:orderId/validation",
    {
      config: { access: "validation.view" },
      schema: {
        tags,
        summary: "The order with each domain's validation step and its instructions (order.validation)",
        params: OrderParams,
        response: { 200: OrderAnswer, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => ({ order: await getOrder(services.db.kysely, request.params.teamId, request.params.orderId, membershipOf(request).member) }),
  );

  app.post(
    "/teams/:teamId/orders/:orderId/validation/:domain",
    {
      config: { access: "validation.manage" },
      schema: {
        tags,
        summary:
          "Choose how a domain is validated; draws a fresh challenge (wildcards: email or dns only). " +
          "For email, approverEmail (one of the five constructed addresses) receives the approval link.",
        params: StepParams,
        body: ValidationMethodBody,
        response: { 200: OrderAnswer, ...problems(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      const { orderId, domain } = request.params;
      const { method, approverEmail } = request.body;
      // Each email choice sends an e-mail to a stranger's mailbox: limited per recipient, across teams.
      if (method === "email" && approverEmail !== undefined) services.limits.take(["approvalEmailsPerRecipient", approverEmail]);
      const ctx = teamCtxOf(request, services);
      await chooseValidationMethod(ctx, orderId, { domain, method, ...(approverEmail !== undefined ? { approverEmail } : {}) });
      return { order: await orderSeenBy(ctx, orderId) };
    },
  );

  app.post(
    "/teams/:teamId/orders/:orderId/validation/:domain/check",
    {
      config: { access: "validation.manage" },
      schema: {
        tags,
        summary:
          "certdesk checks the step now (http file, dns TXT record, or the confirmed approval e-mail); 422 validation_failed says what it found. " +
          "Issues the certificate when it was the last step and a CSR is on file (422 caa_forbidden when CAA refuses)",
        params: StepParams,
        response: { 200: OrderAnswer, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { orderId, domain } = request.params;
      const ctx = teamCtxOf(request, services);
      await checkValidationStep(ctx, orderId, domain);
      return { order: await orderSeenBy(ctx, orderId) };
    },
  );
}
