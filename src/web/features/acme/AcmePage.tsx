import { useState } from "react";
import type { AcmeCredentialDto as AcmeCredential } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { CopyField } from "../../ui/CopyButton";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate, formatDateTime, formatRelative, plural } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { useBillingProfileOptions } from "../billing/hooks";
import { profileText } from "../billing/words";
import { useProducts } from "../orders/hooks";
import { productName } from "../orders/words";
import { CreateAcmeCredentialDialog } from "./CreateAcmeCredentialDialog";
import { useAcmeCredentials, useRevokeAcmeCredential } from "./hooks";
import { ACCOUNT_LABELS, ACCOUNT_TONES, CREDENTIAL_LABELS, CREDENTIAL_TONES, credentialStatus, shortThumbprint } from "./words";

/**
 * The team's ACME credentials (SPEC rules 13 and 20), for holders of automation.manage: each an
 * External Account Binding that certbot, lego or cert-manager use to order into this team, with the
 * product and billing profile its orders use, and the ACME accounts (hosts, clusters) bound with it.
 */
export function AcmePage() {
  const team = useActiveTeam();
  const credentials = useAcmeCredentials(team.id);
  const revoke = useRevokeAcmeCredential(team.id);
  const products = useProducts();
  const profiles = useBillingProfileOptions(team.id, useCan("billing.view"));
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AcmeCredential | null>(null);
  const rows = credentials.data?.pages.flatMap((p) => p.items) ?? [];
  const directoryUrl = credentials.data?.pages[0]?.directoryUrl;
  const profileName = (id: string) => {
    const profile = profiles.data?.items.find((p) => p.id === id);
    return profile ? profileText(profile) : "A removed billing profile";
  };

  return (
    <Page
      title="ACME"
      description={`Let certbot, lego or cert-manager order certificates into ${team.name} by themselves, and renew them before they expire.`}
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          New credential
        </Button>
      }
    >
      <div className="stack-lg">
        <Card title="Directory URL" description="Give this address to the ACME client as its server, with a credential's key id and HMAC key.">
          {directoryUrl ? <CopyField label="Directory URL" value={directoryUrl} /> : credentials.isPending ? <Loading label="Loading the directory URL…" /> : null}
        </Card>

        {credentials.isPending ? (
          <Card>
            <Loading label="Loading ACME credentials…" />
          </Card>
        ) : credentials.error && !rows.length ? (
          <Card>
            <ErrorAlert error={credentials.error} action={<Button onClick={() => credentials.refetch()}>Try again</Button>} />
          </Card>
        ) : rows.length === 0 ? (
          <Card>
            <EmptyState title="No ACME credentials yet" action={<Button onClick={() => setCreating(true)}>New credential</Button>}>
              A credential names the product and billing profile of the orders placed with it. Any number of servers can use one; each becomes an ACME account listed here.
            </EmptyState>
          </Card>
        ) : (
          rows.map((credential) => {
            const status = credentialStatus(credential);
            return (
              <Card
                key={credential.id}
                title={
                  <>
                    {credential.name} <Badge tone={CREDENTIAL_TONES[status]}>{CREDENTIAL_LABELS[status]}</Badge>
                  </>
                }
                actions={
                  status === "revoked" ? null : (
                    <Button size="sm" variant="danger" onClick={() => setRevoking(credential)}>
                      Revoke<span className="visually-hidden"> {credential.name}</span>
                    </Button>
                  )
                }
              >
                <div className="stack-sm" data-testid="acme-credential" data-status={status} data-name={credential.name}>
                  <dl className="facts facts-compact">
                    <div>
                      <dt>Key id</dt>
                      <dd>
                        <code>{credential.keyId}</code>
                      </dd>
                    </div>
                    <div>
                      <dt>Orders</dt>
                      <dd>{productName(products.data, credential.productId)}</dd>
                    </div>
                    <div>
                      <dt>Charged to</dt>
                      <dd>{profiles.data ? profileName(credential.billingProfileId) : <span className="muted">A billing profile of the team</span>}</dd>
                    </div>
                    <div>
                      <dt>Created</dt>
                      <dd>
                        <time dateTime={credential.createdAt} title={formatDateTime(credential.createdAt)}>
                          {formatDate(credential.createdAt)}
                        </time>{" "}
                        by {credential.createdBy.email}
                      </dd>
                    </div>
                    {credential.revokedAt ? (
                      <div>
                        <dt>Revoked</dt>
                        <dd>
                          <time dateTime={credential.revokedAt} title={formatDateTime(credential.revokedAt)}>
                            {formatDate(credential.revokedAt)}
                          </time>
                        </dd>
                      </div>
                    ) : null}
                  </dl>
                  {credential.accounts.length === 0 ? (
                    <p className="muted small">No ACME client has used this credential yet.</p>
                  ) : (
                    <table className="table responsive-table" aria-label={`ACME accounts of ${credential.name}`}>
                      <thead>
                        <tr>
                          <th scope="col">Account key thumbprint</th>
                          <th scope="col">Status</th>
                          <th scope="col">Created</th>
                          <th scope="col">Last used</th>
                        </tr>
                      </thead>
                      <tbody>
                        {credential.accounts.map((account) => (
                          <tr key={account.id} data-testid="acme-account-row" data-status={account.status}>
                            <td data-label="Thumbprint">
                              <code title={account.thumbprint}>{shortThumbprint(account.thumbprint)}</code>
                            </td>
                            <td data-label="Status">
                              <Badge tone={ACCOUNT_TONES[account.status]}>{ACCOUNT_LABELS[account.status]}</Badge>
                            </td>
                            <td data-label="Created">
                              <time dateTime={account.createdAt} title={formatDateTime(account.createdAt)}>
                                {formatDate(account.createdAt)}
                              </time>
                            </td>
                            <td data-label="Last used">
                              {account.lastUsedAt ? (
                                <time dateTime={account.lastUsedAt} title={formatDateTime(account.lastUsedAt)}>
                                  {formatRelative(account.lastUsedAt)}
                                </time>
                              ) : (
                                <span className="muted">Never</span>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </div>
              </Card>
            );
          })
        )}
        {credentials.hasNextPage ? (
          <div className="card-foot">
            <Button onClick={() => credentials.fetchNextPage()} pending={credentials.isFetchingNextPage}>
              Show more
            </Button>
          </div>
        ) : null}
      </div>

      <CreateAcmeCredentialDialog teamId={team.id} open={creating} onClose={() => setCreating(false)} />

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title={`Revoke ${revoking?.name ?? "this credential"}?`}
        confirmLabel="Revoke credential"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => {
          if (!revoking) return;
          const { name, accounts } = revoking;
          const live = accounts.filter((a) => a.status === "valid").length;
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              setRevoking(null);
              toast.success(live ? `Revoked ${name} and deactivated ${plural(live, "ACME account")}.` : `Revoked ${name}.`);
            },
          });
        }}
      >
        <p>
          No ACME client can register with this credential any more, and the {plural(revoking?.accounts.filter((a) => a.status === "valid").length ?? 0, "account")} registered with it
          are deactivated: their renewals stop. Certificates already issued stay valid. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
