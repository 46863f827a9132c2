import { useInfiniteQuery } from "@tanstack/react-query";
import { domainsApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate, formatDateTime, plural } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { METHOD_NOUNS } from "../orders/words";

const DAY = 86_400_000;

/** Whole days from now until `iso`, 0 once it has passed. */
export function daysLeft(iso: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / DAY));
}

/**
 * The team's domain ledger (SPEC 16): each name validated, by which method and when, and how
 * many days later orders may still reuse it without validating again (BR 4.2.1).
 */
export function DomainsPage() {
  const team = useActiveTeam();
  const ledger = useInfiniteQuery({
    queryKey: [...keys.team(team.id), "domains"],
    queryFn: ({ pageParam }) => domainsApi.ledger(team.id, { limit: 50, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = ledger.data?.pages.flatMap((p) => p.items) ?? [];
  const now = Date.now();
  return (
    <Page title="Domains" description={`The names ${team.name} has proven control of. A new order for one of them starts validated while its validation may be reused.`}>
      <Card>
        {ledger.isPending ? (
          <Loading label="Loading the domains…" />
        ) : ledger.error && !rows.length ? (
          <ErrorAlert error={ledger.error} action={<Button onClick={() => ledger.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState title="No validated domains yet">A domain appears here once certdesk has checked it for one of the team's orders.</EmptyState>
        ) : (
          <table className="table responsive-table" aria-label="Validated domains">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Method</th>
                <th scope="col">Validated</th>
                <th scope="col">Reusable until</th>
                <th scope="col">Days left</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => {
                const left = daysLeft(entry.reusableUntil, now);
                return (
                  <tr key={entry.domain} data-testid="domain-row">
                    <td data-label="Domain" className="strong mono">
                      {entry.domain}
                    </td>
                    <td data-label="Method">{METHOD_NOUNS[entry.method]}</td>
                    <td data-label="Validated">
                      <time dateTime={entry.validatedAt} title={formatDateTime(entry.validatedAt)}>
                        {formatDate(entry.validatedAt)}
                      </time>
                    </td>
                    <td data-label="Reusable until">
                      <time dateTime={entry.reusableUntil} title={formatDateTime(entry.reusableUntil)}>
                        {formatDate(entry.reusableUntil)}
                      </time>
                    </td>
                    <td data-label="Days left">
                      {left === 0 ? <Badge tone="red">Lapsed: validate again</Badge> : <Badge tone={left <= 30 ? "amber" : "green"}>{plural(left, "day")}</Badge>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {ledger.hasNextPage ? (
          <div className="load-more">
            <Button onClick={() => ledger.fetchNextPage()} pending={ledger.isFetchingNextPage}>
              Load more
            </Button>
          </div>
        ) : null}
      </Card>
    </Page>
  );
}
