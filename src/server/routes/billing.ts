// The catalogue, billing profiles and the ledger.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { createBillingProfile, removeBillingProfile, updateBillingProfile } from "../commands/billing-profiles.js";
import { getBillingProfile, listBillingProfiles, listProducts, listTransactions } from "../queries/billing.js";
import type { Services } from "./route-kit.js";
import { problems, teamCtxOf, typed } from "./route-kit.js";
import { BillingProfile, BillingProfilePatch, NewBillingProfile, Transaction } from "../../shared/schemas/billing.js";
import { Cursor, Id, Limit, NoContent, page } from "../../shared/schemas/common.js";
import { Product } from "../../shared/schemas/orders.js";
import { TeamIdParams } from "./params.js";

const tags = ["billing"];
const ProfileParams = Type.Object({ teamId: Id, billingProfileId: Id }, { additionalProperties: false });

export function billingRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const db = services.db.kysely;

  app.get(
    "/products",
    {
      config: { access: "public" },
      schema: { tags: ["products"], summary: "The certificate catalogue", response: { 200: Type.Object({ items: Type.Array(Product) }) } },
    },
    async () => ({ items: await listProducts(db) }),
  );

  app.get(
    "/teams/:teamId/billing-profiles",
    {
      config: { access: "billing.view" },
      schema: {
        tags,
        summary: "The team's billing profiles",
        params: TeamIdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: page(BillingProfile), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listBillingProfiles(db, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor }),
  );

  app.post(
    "/teams/:teamId/billing-profiles",
    {
      config: { access: "billing.manage" },
      schema: {
        tags,
        summary: "Add a billing profile (card brand and last four digits only)",
        params: TeamIdParams,
        body: NewBillingProfile,
        response: { 201: Type.Object({ billingProfile: BillingProfile }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { teamId } = request.params;
      const id = await createBillingProfile(teamCtxOf(request, services), request.body);
      return reply.status(201).send({ billingProfile: await getBillingProfile(db, teamId, id) });
    },
  );

  app.get(
    "/teams/:teamId/billing-profiles/:billingProfileId",
    {
      config: { access: "billing.view" },
      schema: { tags, summary: "One billing profile", params: ProfileParams, response: { 200: Type.Object({ billingProfile: BillingProfile }), ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ billingProfile: await getBillingProfile(db, request.params.teamId, request.params.billingProfileId) }),
  );

  app.patch(
    "/teams/:teamId/billing-profiles/:billingProfileId",
    {
      config: { access: "billing.manage" },
      schema: {
        tags,
        summary: "Edit a billing profile",
        params: ProfileParams,
        body: BillingProfilePatch,
        response: { 200: Type.Object({ billingProfile: BillingProfile }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { teamId, billingProfileId } = request.params;
      await updateBillingProfile(teamCtxOf(request, services), billingProfileId, request.body);
      return { billingProfile: await getBillingProfile(db, teamId, billingProfileId) };
    },
  );

  app.delete(
    "/teams/:teamId/billing-profiles/:billingProfileId",
    {
      config: { access: "billing.manage" },
      schema: { tags, summary: "Remove a billing profile (its past charges stay in the ledger)", params: ProfileParams, response: { 204: NoContent, ...problems(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await removeBillingProfile(teamCtxOf(request, services), request.params.billingProfileId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/teams/:teamId/transactions",
    {
      config: { access: "billing.view" },
      schema: {
        tags,
        summary: "The team's ledger: charges and refunds, newest first",
        params: TeamIdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor), orderId: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: page(Transaction), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listTransactions(db, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor, orderId: request.query.orderId }),
  );
}
