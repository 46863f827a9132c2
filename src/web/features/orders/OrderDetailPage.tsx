import { Link, useParams } from "react-router";
import { isApiError } from "../../api/client";
import type { OrderDto as Order } from "../../../shared/schemas";
import { Can, useCan } from "../../app/Can";
import { useActiveTeam, useTeamPath } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { formatDateTime, formatMoney } from "../../ui/format";
import { useTitle } from "../../ui/hooks";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { CertificateCard } from "../certificates/CertificateCard";
import { useBillingProfileOptions } from "../billing/hooks";
import { profileText } from "../billing/words";
import { DocumentsCard } from "../validation/DocumentsCard";
import { ValidationCard } from "../validation/ValidationCard";
import { useOrder, useProducts } from "./hooks";
import { OrderTimeline } from "./OrderTimeline";
import { RefundButton } from "./RefundButton";
import { StatusBadge } from "./StatusBadge";
import { METHOD_NOUNS, SOURCE_LABELS, domainsSummary, placedByText, productName, shortId, validatedCount } from "./words";

function BackLink() {
  const to = useTeamPath();
  return (
    <Link to={to("orders")} className="back-link">
      ← Orders
    </Link>
  );
}

export function OrderDetailPage() {
  const { orderId = "" } = useParams();
  const team = useActiveTeam();
  const to = useTeamPath();
  const order = useOrder(team.id, orderId);
  useTitle(order.data ? domainsSummary(order.data.domains) : "Order");

  if (order.isPending)
    return (
      <div className="page">
        <BackLink />
        <Loading label="Loading the order…" />
      </div>
    );
  if (order.error || !order.data)
    return (
      <div className="page">
        <BackLink />
        {/* A malformed id in the address is refused by the schema (400): the same "not here" for a person. */}
        {isApiError(order.error, "not_found") || isApiError(order.error, "invalid_request") ? (
          <EmptyState
            title="Order not found"
            action={
              <Link to={to("orders")} className="btn btn-secondary">
                See {team.name}'s orders
              </Link>
            }
          >
            There is no such order in {team.name}. It may belong to another of your teams: switch teams with the Team button.
          </EmptyState>
        ) : (
          <ErrorAlert error={order.error} action={<Button onClick={() => order.refetch()}>Try again</Button>} />
        )}
      </div>
    );
  return <OrderView teamId={team.id} order={order.data} />;
}

function OrderView({ teamId, order }: { teamId: string; order: Order }) {
  const products = useProducts();
  const canSeeValidation = useCan("validation.view");
  const product = productName(products.data, order.productId);
  return (
    <>
      <div className="page back-row">
        <BackLink />
      </div>
      <Page
        title={domainsSummary(order.domains)}
        description={
          <span className="chips">
            <StatusBadge status={order.status} />
            <span>
              {product} · {formatMoney(order.priceMinor, order.currency)} · ordered {formatDateTime(order.createdAt)}
            </span>
          </span>
        }
        actions={
          order.status !== "refunded" ? (
            <Can permission="billing.refund">
              <RefundButton teamId={teamId} order={order} />
            </Can>
          ) : null
        }
      >
        <div className="order-layout">
          <div className="stack-lg order-main">
            {canSeeValidation ? <ValidationCard teamId={teamId} order={order} /> : <ValidationSummary order={order} />}
            <CertificateCard teamId={teamId} order={order} />
            {canSeeValidation ? <DocumentsCard teamId={teamId} order={order} /> : null}
          </div>
          <aside className="stack-lg order-aside" aria-label="Order summary">
            <Card title="Progress">
              <OrderTimeline order={order} />
            </Card>
            <Card title="Details">
              <OrderFacts teamId={teamId} order={order} product={product} />
            </Card>
          </aside>
        </div>
      </Page>
    </>
  );
}

/** For members who see orders but not validation: where it stands, without the challenges. */
function ValidationSummary({ order }: { order: Order }) {
  return (
    <Card title="Domain validation" description={`${validatedCount(order)} of ${order.validation.length} validated. Members with the Validation role prove control of each domain.`}>
      <ul className="domain-list" aria-label="Domains">
        {order.validation.map((step) => (
          <li key={step.domain}>
            <span className="mono">{step.domain}</span>{" "}
            <span className="muted small">{step.completed ? `validated${step.method ? ` by ${METHOD_NOUNS[step.method]}` : ""}` : "not validated yet"}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function OrderFacts({ teamId, order, product }: { teamId: string; order: Order; product: string }) {
  const canViewBilling = useCan("billing.view");
  const profiles = useBillingProfileOptions(teamId, canViewBilling);
  const profile = profiles.data?.items.find((p) => p.id === order.billingProfileId);
  return (
    <dl className="facts facts-compact">
      <div>
        <dt>Order</dt>
        <dd className="mono">#{shortId(order.id)}</dd>
      </div>
      <div>
        <dt>Product</dt>
        <dd>{product}</dd>
      </div>
      <div>
        <dt>Placed by</dt>
        <dd data-testid="order-placed-by">
          {placedByText(order)} <span className="muted small">· {SOURCE_LABELS[order.source]}</span>
        </dd>
      </div>
      <div>
        <dt>Price</dt>
        <dd>{formatMoney(order.priceMinor, order.currency)}</dd>
      </div>
      {canViewBilling ? (
        <div>
          <dt>Charged to</dt>
          <dd>{profile ? profileText(profile) : profiles.isPending ? "…" : <span className="muted">A removed billing profile</span>}</dd>
        </div>
      ) : null}
      <div>
        <dt>Domains</dt>
        <dd>
          <ul className="plain-list">
            {order.domains.map((d) => (
              <li key={d} className="mono">
                {d}
              </li>
            ))}
          </ul>
        </dd>
      </div>
    </dl>
  );
}
