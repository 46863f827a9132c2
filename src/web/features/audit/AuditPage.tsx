import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { actionInWords, pairs } from "./describe";
import { useAuditLog } from "./hooks";

function Pairs({ value }: { value: unknown }) {
  const list = pairs(value);
  if (!list.length) return <span className="muted">—</span>;
  return (
    <dl className="pairs">
      {list.map((pair, index) => (
        <div key={index}>
          {pair.key ? <dt>{pair.key}</dt> : null}
          <dd>{pair.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditPage() {
  const team = useActiveTeam();
  const audit = useAuditLog(team.id);
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Page
      title="Audit log"
      description={`Every change to ${team.name}, newest first. The log cannot be edited.`}
      actions={
        <Button onClick={() => audit.refetch()} pending={audit.isRefetching && !audit.isFetchingNextPage}>
          Refresh
        </Button>
      }
    >
      <Card>
        {audit.isPending ? (
          <Loading label="Loading the audit log…" />
        ) : audit.error && !rows.length ? (
          <ErrorAlert error={audit.error} action={<Button onClick={() => audit.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState title="Nothing recorded yet" />
        ) : (
          <table className="table responsive-table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id} data-testid="audit-row">
                  <td data-label="When">
                    <time dateTime={entry.at} title={formatRelative(entry.at)}>
                      {formatDateTime(entry.at)}
                    </time>
                  </td>
                  <td data-label="Who">{entry.actor?.email ?? <span className="muted">system</span>}</td>
                  <td data-label="Action">
                    <span className="strong">{actionInWords(entry.action)}</span>
                    <br />
                    <code className="muted small">{entry.action}</code>
                  </td>
                  <td data-label="Target">
                    <Pairs value={entry.target} />
                  </td>
                  <td data-label="Details">
                    <Pairs value={entry.details} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {audit.hasNextPage ? (
          <div className="load-more">
            <Button onClick={() => audit.fetchNextPage()} pending={audit.isFetchingNextPage}>
              Load older entries
            </Button>
          </div>
        ) : null}
      </Card>
    </Page>
  );
}
