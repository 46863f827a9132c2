// Orders: list, read, place (charges a billing profile), refund.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { placeOrder } from "../commands/place-order.js";
import { refundOrder } from "../commands/refund-order.js";
import { getOrder, listOrders } from "../queries/orders.js";
import type { Services } from "./route-kit.js";
import { membershipOf, orderSeenBy, problems, teamCtxOf, typed } from "./route-kit.js";
import { page } from "../../shared/schemas/common.js";
import { NewOrder, Order, OrderListQuery } from "../../shared/schemas/orders.js";
import { OrderParams, TeamIdParams } from "./params.js";

const tags = ["orders"];

export function orderRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const db = services.db.kysely;

  app.get(
    "/teams/:teamId/orders",
    {
      config: { access: "orders.view" },
      schema: {
        tags,
        summary: "The team's orders, newest first or soonest to expire first; by status, domain prefix, expiring soon",
        params: TeamIdParams,
        querystring: OrderListQuery,
        response: { 200: page(Order), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { limit, cursor, status, q, expiresWithinDays, sort } = request.query;
      const input = { limit: limit ?? 50, cursor, status, q, expiresWithinDays, sort: sort ?? "newest", now: services.clock.now() };
      return listOrders(db, request.params.teamId, input, membershipOf(request).member);
    },
  );

  app.get(
    "/teams/:teamId/orders/:orderId",
    {
      config: { access: "orders.view" },
      schema: { tags, summary: "One order with its validation steps", params: OrderParams, response: { 200: Type.Object({ order: Order }), ...problems(400, 401, 403, 404) } },
    },
    async (request) => ({ order: await getOrder(db, request.params.teamId, request.params.orderId, membershipOf(request).member) }),
  );

  app.post(
    "/teams/:teamId/orders",
    {
      config: { access: "orders.create" },
      schema: {
        tags,
        summary: "Buy a certificate: charges the billing profile and opens validation",
        params: TeamIdParams,
        body: NewOrder,
        response: { 201: Type.Object({ order: Order }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
            const ctx = teamCtxOf(request, services);
      const orderId = await placeOrder(ctx, request.body);
      return reply.status(201).send({ order: await orderSeenBy(ctx, orderId) });
    },
  );

  app.post(
    "/teams/:teamId/orders/:orderId/refund",
    {
      config: { access: "billing.refund" },
      schema: {
        tags,
        summary: "Refund an order within 30 days of its charge",
        params: OrderParams,
        response: { 200: Type.Object({ order: Order }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const ctx = teamCtxOf(request, services);
      await refundOrder(ctx, orderId);
      return { order: await orderSeenBy(ctx, orderId) };
    },
  );
}

