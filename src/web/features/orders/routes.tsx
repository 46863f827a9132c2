import type { RouteObject } from "react-router";
import { RequirePermission } from "../../app/guards";
import { BillingPage } from "../billing/BillingPage";
import { DomainsPage } from "../validation/DomainsPage";
import { OrganizationPage } from "../validation/OrganizationPage";
import { OrderDetailPage } from "./OrderDetailPage";
import { OrdersPage } from "./OrdersPage";

/** The certificate account of a team, under /teams/:teamId: orders (with validation, documents and certificates) and billing. */
export const accountRoutes: RouteObject[] = [
  {
    path: "orders",
    element: (
      <RequirePermission anyOf={["orders.view"]}>
        <OrdersPage />
      </RequirePermission>
    ),
  },
  {
    path: "orders/:orderId",
    element: (
      <RequirePermission anyOf={["orders.view"]}>
        <OrderDetailPage />
      </RequirePermission>
    ),
  },
  {
    path: "domains",
    element: (
      <RequirePermission anyOf={["validation.view"]}>
        <DomainsPage />
      </RequirePermission>
    ),
  },
  {
    path: "organization",
    element: (
      <RequirePermission anyOf={["validation.view"]}>
        <OrganizationPage />
      </RequirePermission>
    ),
  },
  {
    path: "billing",
    element: (
      <RequirePermission anyOf={["billing.view"]}>
        <BillingPage />
      </RequirePermission>
    ),
  },
];
