import type { RouteObject } from "react-router";
import { RequirePermission } from "../../app/guards";
import { BillingPage } from "../billing/BillingPage";
import { OrderDetailPage } from "./OrderDetailPage";
import { OrdersPage } from "./OrdersPage";

/** The certificate account of the active team: orders (with validation, documents and certificates) and billing. */
export const accountRoutes: RouteObject[] = [
  {
    path: "team/orders",
    element: (
      <RequirePermission anyOf={["orders.view"]}>
        <OrdersPage />
      </RequirePermission>
    ),
  },
  {
    path: "team/orders/:orderId",
    element: (
      <RequirePermission anyOf={["orders.view"]}>
        <OrderDetailPage />
      </RequirePermission>
    ),
  },
  {
    path: "team/billing",
    element: (
      <RequirePermission anyOf={["billing.view"]}>
        <BillingPage />
      </RequirePermission>
    ),
  },
];
