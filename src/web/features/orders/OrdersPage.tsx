import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { OrderFilter, OrderStatus } from "../../../shared/schemas";
import { Can, useCan } from "../../app/Can";
import { useActiveTeam, useTeamPath } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { SelectField, TextField } from "../../ui/Field";
import { formatDate, formatDateTime, formatMoney } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { BuyCertificateDialog } from "./BuyCertificateDialog";
import { useOrders, useProducts } from "./hooks";
import { StatusBadge } from "./StatusBadge";
import { SOURCE_LABELS, STATUS_LABELS, daysLeftText, placedByText, productName, shortId, validatedCount } from "./words";

/** The "expiring soon" view: the first reminder goes out 30 days before a certificate ends (SPEC 19). */
const EXPIRING_DAYS = 30;
/** What the server accepts as a domain search (shared/schemas/orders.ts): anything else is not sent. */
const SEARCH_PATTERN = /^[A-Za-z0-9.*_-]+$/;

const VIEWS = [
  { value: "all", label: "All orders" },
  { value: "expiring", label: `Expiring within ${EXPIRING_DAYS} days` },
] as const;
const SORTS = [
  { value: "newest", label: "Newest first" },
  { value: "expires", label: "Expires soonest" },
] as const;

/** How long the search waits for the typing to pause before it goes to the address (and the server). */
const SEARCH_DELAY_MS = 300;

type RawFilter = { view: string; status: OrderStatus | ""; q: string; sort: string };

/**
 * The filters live in the address (?view=expiring&status=&q=&sort=expires), like the audit log's, so a
 * filtered list can be linked and reloaded; values the page does not know are ignored, never sent.
 * The router updates the address in a transition, after the click: until it has, the controls show
 * what was chosen (`pending`), or a controlled radio would flick back and typed letters could be lost.
 */
function useOrderFilter() {
  const [params, setParams] = useSearchParams();
  const rawStatus = params.get("status") ?? "";
  const raw: RawFilter = {
    view: params.get("view") === "expiring" ? "expiring" : "all",
    status: (rawStatus in STATUS_LABELS ? rawStatus : "") as OrderStatus | "",
    q: params.get("q") ?? "",
    sort: params.get("sort") === "expires" ? "expires" : "newest",
  };
  const [pending, setPending] = useState<Partial<RawFilter>>({});
  const searchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // A choice the address now holds is no longer pending.
  useEffect(() => {
    setPending((previous) => {
      const left = Object.fromEntries(Object.entries(previous).filter(([key, value]) => raw[key as keyof RawFilter] !== value));
      return Object.keys(left).length === Object.keys(previous).length ? previous : left;
    });
  }, [raw.view, raw.status, raw.q, raw.sort]);
  useEffect(() => () => clearTimeout(searchTimer.current), []);
  const shown: RawFilter = { ...raw, ...pending };

  const urlQ = raw.q.trim();
  const filter: OrderFilter = useMemo(
    () => ({
      status: raw.status || undefined,
      q: urlQ && SEARCH_PATTERN.test(urlQ) ? urlQ : undefined,
      sort: raw.sort === "expires" ? "expires" : undefined,
      expiresWithinDays: raw.view === "expiring" ? EXPIRING_DAYS : undefined,
    }),
    [raw.status, urlQ, raw.sort, raw.view],
  );
  const q = shown.q.trim();
  const searchError = q && !SEARCH_PATTERN.test(q) ? "Type the start of a domain: letters, digits, dots, hyphens or *." : undefined;
  const set = (key: keyof RawFilter, value: string, empty = "") => {
    setPending((previous) => ({ ...previous, [key]: value }));
    const write = () =>
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (value && value !== empty) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: true },
      );
    if (key !== "q") return write();
    clearTimeout(searchTimer.current);
    searchTimer.current = setTimeout(write, SEARCH_DELAY_MS);
  };
  const clear = () => {
    clearTimeout(searchTimer.current);
    setPending({});
    setParams(new URLSearchParams(), { replace: true });
  };
  const active = shown.view !== "all" || Boolean(shown.status) || Boolean(q);
  return { shown, filter, searchError, set, clear, active };
}

export function OrdersPage() {
  const team = useActiveTeam();
  const to = useTeamPath();
  const { shown: raw, filter, searchError, set, clear, active } = useOrderFilter();
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
      description={`Certificates ordered by ${team.name}, ${raw.sort === "expires" ? "the soonest to expire first" : "newest first"}.`}
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
            {VIEWS.map(({ value, label }) => (
              <label key={value} className={raw.view === value ? "segment active" : "segment"}>
                <input type="radio" name="order-view" value={value} checked={raw.view === value} onChange={() => set("view", value, "all")} />
                {label}
              </label>
            ))}
          </div>
          <div className="segmented" role="radiogroup" aria-label="Sort orders">
            {SORTS.map(({ value, label }) => (
              <label key={value} className={raw.sort === value ? "segment active" : "segment"}>
                <input type="radio" name="order-sort" value={value} checked={raw.sort === value} onChange={() => set("sort", value, "newest")} />
                {label}
              </label>
            ))}
          </div>
        </div>
        <form className="filter-bar" aria-label="Filter the orders" role="search" onSubmit={(event) => event.preventDefault()}>
          <TextField
            label="Search domains"
            type="search"
            value={raw.q}
            placeholder="example.com"
            autoComplete="off"
            spellCheck={false}
            error={searchError}
            onChange={(e) => set("q", e.target.value)}
          />
          <SelectField label="Status" value={raw.status} onChange={(e) => set("status", e.target.value)}>
            <option value="">Any status</option>
            {(Object.keys(STATUS_LABELS) as OrderStatus[]).map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </SelectField>
          {active ? (
            <Button type="button" onClick={clear}>
              Clear filters
            </Button>
          ) : null}
        </form>

        {orders.isPending ? (
          <Loading label="Loading orders…" />
        ) : orders.error && !rows.length ? (
          <ErrorAlert error={orders.error} action={<Button onClick={() => orders.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState
            title={active ? (raw.view === "expiring" && !raw.status && !filter.q ? `No certificate expires within ${EXPIRING_DAYS} days` : "No orders match these filters") : "No orders yet"}
            action={
              active ? (
                <Button onClick={clear}>Clear filters</Button>
              ) : canCreate ? (
                <Button variant="primary" onClick={() => setBuying(true)}>
                  Buy a certificate
                </Button>
              ) : null
            }
          >
            {!active ? (canCreate ? "Buy a certificate for up to 100 domains; your team validates them and installs it." : "Orders appear here once someone with Billing buys a certificate.") : null}
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
                <th scope="col" aria-sort={raw.sort === "expires" ? "ascending" : undefined}>
                  Expires
                </th>
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
                      {order.source === "dashboard" ? null : (
                        <span className="muted small block" data-testid="order-placed-by">
                          {SOURCE_LABELS[order.source]} · {placedByText(order)}
                        </span>
                      )}
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
                    <td data-label="Expires">
                      <OrderExpires order={order} />
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

type Expiring = { certificate: { notAfter: string; revokedAt: string | null } | null; status: string };

/** The current certificate's notAfter and the days left; before issuance, not yet known. */
function OrderExpires({ order }: { order: Expiring }) {
  const certificate = order.certificate;
  if (!certificate) return <span className="muted small">{order.status === "refunded" ? "—" : "Set at issuance"}</span>;
  const text = daysLeftText(certificate);
  const soon = !certificate.revokedAt && Date.parse(certificate.notAfter) - Date.now() <= EXPIRING_DAYS * 86_400_000;
  return (
    <>
      <time dateTime={certificate.notAfter} title={formatDateTime(certificate.notAfter)}>
        {formatDate(certificate.notAfter)}
      </time>
      <span className={soon ? "small block strong" : "muted small block"} data-testid="days-left">
        {text}
      </span>
    </>
  );
}
