import { useState } from "react";
import type { ApiKeyDto as ApiKey } from "../../../shared/schemas";
import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate, formatDateTime, formatRelative } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { PERMISSION_LABELS } from "../roles/labels";
import { CreateApiKeyDialog } from "./CreateApiKeyDialog";
import { useApiKeys, useRevokeApiKey } from "./hooks";
import { STATUS_LABELS, STATUS_TONES, apiKeyStatus } from "./words";

/**
 * The team's API keys (SPEC rule 13): for holders of automation.manage. A key belongs to the team,
 * acts with the permissions it was given, and keeps working after its creator leaves; its secret
 * is shown once, when it is created.
 */
export function ApiKeysPage() {
  const team = useActiveTeam();
  const apiKeys = useApiKeys(team.id);
  const revoke = useRevokeApiKey(team.id);
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const rows = apiKeys.data?.pages.flatMap((p) => p.items) ?? [];
  const now = Date.now();

  return (
    <Page
      title="API keys"
      description={`Let scripts and other systems act in ${team.name} with only the permissions you give them.`}
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create API key
        </Button>
      }
    >
      <Card>
        {apiKeys.isPending ? (
          <Loading label="Loading API keys…" />
        ) : apiKeys.error && !rows.length ? (
          <ErrorAlert error={apiKeys.error} action={<Button onClick={() => apiKeys.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState title="No API keys yet" action={<Button onClick={() => setCreating(true)}>Create API key</Button>}>
            A key sends <code>Authorization: Bearer …</code> with each request and acts in this team only, with the permissions you choose.
          </EmptyState>
        ) : (
          <table className="table responsive-table" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Permissions</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((key) => {
                const status = apiKeyStatus(key, now);
                return (
                  <tr key={key.id} data-testid="api-key-row" data-status={status}>
                    <td data-label="Name" className="strong">
                      {key.name}
                    </td>
                    <td data-label="Permissions">
                      <ul className="permission-chips" aria-label={`Permissions of ${key.name}`}>
                        {key.permissions.map((p) => (
                          <li key={p} title={PERMISSION_LABELS[p]}>
                            <code>{p}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label="Created">
                      <time dateTime={key.createdAt} title={formatDateTime(key.createdAt)}>
                        {formatDate(key.createdAt)}
                      </time>
                      <br />
                      <span className="muted small">by {key.createdBy.email}</span>
                    </td>
                    <td data-label="Last used">
                      {key.lastUsedAt ? (
                        <time dateTime={key.lastUsedAt} title={formatDateTime(key.lastUsedAt)}>
                          {formatRelative(key.lastUsedAt)}
                        </time>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                    <td data-label="Expires">
                      {key.expiresAt ? (
                        <time dateTime={key.expiresAt} title={formatDateTime(key.expiresAt)}>
                          {formatDate(key.expiresAt)}
                        </time>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                    <td data-label="Status">
                      <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>
                      {key.revokedAt ? <span className="muted small"> {formatDate(key.revokedAt)}</span> : null}
                    </td>
                    <td className="cell-actions">
                      {status === "revoked" ? null : (
                        <Button size="sm" variant="danger" onClick={() => setRevoking(key)}>
                          Revoke<span className="visually-hidden"> {key.name}</span>
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {apiKeys.hasNextPage ? (
          <div className="card-foot">
            <Button onClick={() => apiKeys.fetchNextPage()} pending={apiKeys.isFetchingNextPage}>
              Show more
            </Button>
          </div>
        ) : null}
      </Card>

      <CreateApiKeyDialog teamId={team.id} permissions={team.permissions} open={creating} onClose={() => setCreating(false)} />

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title={`Revoke ${revoking?.name ?? "this key"}?`}
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => {
          if (!revoking) return;
          const name = revoking.name;
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              setRevoking(null);
              toast.success(`Revoked ${name}. It stopped working at once.`);
            },
          });
        }}
      >
        <p>Every request made with this key is refused from now on. Scripts that use it stop working; this cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}
