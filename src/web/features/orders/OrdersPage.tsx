import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { Can, useCan } from "../../app/Can";
import { useActiveTeam, useTeamPath } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate, formatDateTime, formatMoney } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { BuyCertificateDialog } from "./BuyCertificateDialog";
import { useOrders, useProducts } from "./hooks";
import type { OrderFilter } from "./hooks";
import { StatusBadge } from "./StatusBadge";
import { STATUS_LABELS, productName, shortId, validatedCount } from "./words";

const FILTERS: { value: OrderFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "pending_validation", label: STATUS_LABELS.pending_validation },
  { value: "issued", label: STATUS_LABELS.issued },
  { value: "refunded", label: STATUS_LABELS.refunded },
];

export function OrdersPage() {
  const team = useActiveTeam();
  const to = useTeamPath();
  const [filter, setFilter] = useState<OrderFilter>("all");
  const orders = useOrders(team.id, filter);
  const products = useProducts();
  const canCreate = useCan("orders.create");
  const [buying, setBuying] = useState(false);
  const navigate = useNavigate();
  const rows = orders.data?.pages.flatMap((p) => p.items) ?? [];
  const filtering = orders.isFetching && !orders.isFetchingNextPage && orders.isPlaceholderData;

  return (
    <Page
      title="Orders"
      description={`Certificates ordered by ${team.name}, newest first.`}
      actions={
        <Can permission="orders.create">
          <Button variant="primary" onClick={() => setBuying(true)}>
            Buy a certificate
          </Button>
        </Can>
      }
    >
      <Card>
        <div className="toolbar">
          <div className="segmented" role="radiogroup" aria-label="Show orders">
            {FILTERS.map(({ value, label }) => (
              <label key={value} className={filter === value ? "segment active" : "segment"}>
                <input type="radio" name="order-filter" value={value} checked={filter === value} onChange={() => setFilter(value)} />
                {label}
              </label>
            ))}
          </div>
        </div>

        {orders.isPending ? (
          <Loading label="Loading orders…" />
        ) : orders.error && !rows.length ? (
          <ErrorAlert error={orders.error} action={<Button onClick={() => orders.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState
            title={filter === "all" ? "No orders yet" : `No orders are ${STATUS_LABELS[filter as Exclude<OrderFilter, "all">].toLowerCase()}.`}
            action={
              filter === "all" && canCreate ? (
                <Button variant="primary" onClick={() => setBuying(true)}>
                  Buy a certificate
                </Button>
              ) : null
            }
          >
            {filter === "all" ? (canCreate ? "Buy a certificate for up to 100 domains; your team validates them and installs it." : "Orders appear here once someone with Billing buys a certificate.") : null}
          </EmptyState>
        ) : (
          <table className="table responsive-table" aria-label="Orders" aria-busy={filtering || undefined}>
            <thead>
              <tr>
                <th scope="col">Domains</th>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col">Ordered</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => {
                const done = validatedCount(order);
                return (
                  <tr key={order.id} data-testid="order-row" className="row-link" onClick={(event) => {
                    // The whole row opens the order; the link inside stays the keyboard's way in.
                    if (!(event.target as HTMLElement).closest("a")) navigate(to("orders", order.id));
                  }}>
                    <td data-label="Domains">
                      <Link to={to("orders", order.id)} className="strong">
                        {order.domains[0]}
                      </Link>
                      {order.domains.length > 1 ? <span className="muted"> +{order.domains.length - 1} more</span> : null}
                      <br />
                      <span className="muted small mono">#{shortId(order.id)}</span>
                    </td>
                    <td data-label="Product">{productName(products.data, order.productId)}</td>
                    <td data-label="Status">
                      <StatusBadge status={order.status} />
                      {order.status === "pending_validation" ? (
                        <span className="muted small block">
                          {done} of {order.validation.length} validated{order.csrOnFile ? " · CSR on file" : ""}
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Price" className="num">
                      {formatMoney(order.priceMinor, order.currency)}
                    </td>
                    <td data-label="Ordered">
                      <time dateTime={order.createdAt} title={formatDateTime(order.createdAt)}>
                        {formatDate(order.createdAt)}
                      </time>
                    </td>
                    <td data-label="Ends">
                      <OrderEnd order={order} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {orders.error && rows.length ? <ErrorAlert error={orders.error} /> : null}
        {orders.hasNextPage ? (
          <div className="load-more">
            <Button onClick={() => orders.fetchNextPage()} pending={orders.isFetchingNextPage}>
              Load more
            </Button>
          </div>
        ) : null}
      </Card>
      {canCreate ? <BuyCertificateDialog teamId={team.id} open={buying} onClose={() => setBuying(false)} /> : null}
    </Page>
  );
}

/** When the order's certificate stops working: its end once issued, else the coverage's; before issuance, not yet known. */
function OrderEnd({ order }: { order: { certificate: { notAfter: string } | null; coverageEndsAt: string | null; status: string } }) {
  const end = order.certificate?.notAfter ?? order.coverageEndsAt;
  if (!end) return <span className="muted small">{order.status === "refunded" ? "—" : "Set at issuance"}</span>;
  return (
    <time dateTime={end} title={formatDateTime(end)}>
      {formatDate(end)}
    </time>
  );
}
