import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import type { BillingProfileDto as BillingProfile } from "../../../shared/schemas";
import { Can, useCan } from "../../app/Can";
import { useActiveTeam } from "../../app/session";
import { teamPath } from "../../app/teamPaths";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate, formatDateTime, formatMoney, formatRelative } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { shortId } from "../orders/words";
import { BillingProfileDialog } from "./BillingProfileDialog";
import { useBillingProfiles, useRemoveBillingProfile, useTransactions } from "./hooks";
import { cardBrandLabel, countryName } from "./words";

export function BillingPage() {
  const team = useActiveTeam();
  return (
    <Page title="Billing" description={`How ${team.name} pays for certificates, and every charge and refund.`}>
      <div className="stack-lg">
        <BillingProfilesCard teamId={team.id} />
        <TransactionsCard teamId={team.id} />
      </div>
    </Page>
  );
}

function BillingProfilesCard({ teamId }: { teamId: string }) {
  const profiles = useBillingProfiles(teamId);
  const canManage = useCan("billing.manage");
  const remove = useRemoveBillingProfile(teamId);
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  // /team/billing?add=profile (from "Buy a certificate") opens the form straight away.
  const [editing, setEditing] = useState<BillingProfile | "new" | null>(() => (params.get("add") === "profile" && canManage ? "new" : null));
  const [removing, setRemoving] = useState<BillingProfile | null>(null);
  const rows = profiles.data?.pages.flatMap((p) => p.items) ?? [];

  const closeEditor = () => {
    setEditing(null);
    if (params.has("add")) setParams({}, { replace: true });
  };

  return (
    <Card
      title="Billing profiles"
      description="A card is kept as its brand and last four digits only."
      actions={
        <Can permission="billing.manage">
          <Button variant="primary" size="sm" onClick={() => setEditing("new")}>
            Add billing profile
          </Button>
        </Can>
      }
    >
      {profiles.isPending ? (
        <Loading label="Loading billing profiles…" />
      ) : profiles.error && !rows.length ? (
        <ErrorAlert error={profiles.error} action={<Button onClick={() => profiles.refetch()}>Try again</Button>} />
      ) : rows.length === 0 ? (
        <EmptyState
          title="No billing profiles yet"
          action={
            canManage ? (
              <Button variant="primary" onClick={() => setEditing("new")}>
                Add billing profile
              </Button>
            ) : null
          }
        >
          {canManage ? "Add one to buy certificates: a name, a country, and the card's brand and last four digits." : "Someone with the Billing role adds the profiles orders are charged to."}
        </EmptyState>
      ) : (
        <table className="table responsive-table" aria-label="Billing profiles">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Card</th>
              <th scope="col">Added</th>
              {canManage ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((profile) => (
              <tr key={profile.id} data-testid="billing-profile-row">
                <td data-label="Name" className="strong">
                  {profile.name}
                </td>
                <td data-label="Address">
                  {profile.street ? (
                    <>
                      {profile.street}
                      <br />
                    </>
                  ) : null}
                  {[profile.postalCode, profile.city].filter(Boolean).join(" ")}
                  {profile.postalCode || profile.city ? ", " : ""}
                  {countryName(profile.country)} <span className="muted small">({profile.country})</span>
                </td>
                <td data-label="Card">
                  <span className="card-chip">{cardBrandLabel(profile.cardBrand)}</span> <span className="mono">•••• {profile.cardLast4}</span>
                </td>
                <td data-label="Added">{formatDate(profile.createdAt)}</td>
                {canManage ? (
                  <td className="cell-actions">
                    <Button size="sm" onClick={() => setEditing(profile)} aria-label={`Edit ${profile.name}`}>
                      Edit
                    </Button>
                    <Button size="sm" variant="danger" onClick={() => setRemoving(profile)} aria-label={`Remove ${profile.name}`}>
                      Remove
                    </Button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {profiles.error && rows.length ? <ErrorAlert error={profiles.error} /> : null}
      {profiles.hasNextPage ? (
        <div className="load-more">
          <Button onClick={() => profiles.fetchNextPage()} pending={profiles.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : null}

      <BillingProfileDialog teamId={teamId} open={editing !== null} profile={editing === "new" ? null : editing} onClose={closeEditor} />
      <ConfirmDialog
        open={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title={removing ? `Remove ${removing.name}?` : "Remove billing profile?"}
        confirmLabel="Remove profile"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => {
          if (!removing) return;
          const profile = removing;
          remove.mutate(profile.id, {
            onSuccess: () => {
              setRemoving(null);
              toast.success(`Removed ${profile.name}.`);
            },
          });
        }}
      >
        <p>New orders can no longer be charged to it. Its past charges and refunds stay in the ledger.</p>
      </ConfirmDialog>
    </Card>
  );
}

function TransactionsCard({ teamId }: { teamId: string }) {
  const transactions = useTransactions(teamId);
  const rows = transactions.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      title="Transactions"
      description="Charges and refunds, newest first."
      actions={
        <Button size="sm" onClick={() => transactions.refetch()} pending={transactions.isRefetching && !transactions.isFetchingNextPage}>
          Refresh
        </Button>
      }
    >
      {transactions.isPending ? (
        <Loading label="Loading transactions…" />
      ) : transactions.error && !rows.length ? (
        <ErrorAlert error={transactions.error} action={<Button onClick={() => transactions.refetch()}>Try again</Button>} />
      ) : rows.length === 0 ? (
        <EmptyState title="No transactions yet">Buying a certificate charges a billing profile; refunds appear here too.</EmptyState>
      ) : (
        <table className="table responsive-table" aria-label="Transactions">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Order</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((tx) => (
              <tr key={tx.id} data-testid="transaction-row">
                <td data-label="Date">
                  <time dateTime={tx.createdAt} title={formatRelative(tx.createdAt)}>
                    {formatDateTime(tx.createdAt)}
                  </time>
                </td>
                <td data-label="Kind">{tx.kind === "charge" ? <Badge tone="blue">Charge</Badge> : <Badge tone="purple">Refund</Badge>}</td>
                <td data-label="Amount" className={tx.kind === "refund" ? "num amount-refund" : "num"}>
                  {tx.kind === "refund" ? "−" : ""}
                  {formatMoney(tx.amountMinor, tx.currency)}
                </td>
                <td data-label="Order">
                  <Link to={teamPath(teamId, "orders", tx.orderId)} className="mono">
                    #{shortId(tx.orderId)}
                  </Link>
                </td>
                <td data-label="By">{tx.actor.email}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {transactions.error && rows.length ? <ErrorAlert error={transactions.error} /> : null}
      {transactions.hasNextPage ? (
        <div className="load-more">
          <Button onClick={() => transactions.fetchNextPage()} pending={transactions.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
