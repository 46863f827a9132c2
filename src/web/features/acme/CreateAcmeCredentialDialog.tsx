import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { fieldError } from "../../api/client";
import { useCan } from "../../app/Can";
import { useTeamPath } from "../../app/session";
import type { CreatedAcmeCredentialDto as CreatedAcmeCredential } from "../../../shared/schemas";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { CopyField } from "../../ui/CopyButton";
import { Dialog } from "../../ui/Dialog";
import { SelectField, TextField } from "../../ui/Field";
import { formatMoney } from "../../ui/format";
import { Loading } from "../../ui/Spinner";
import { focusFirstError } from "../../ui/validation";
import { useBillingProfileOptions } from "../billing/hooks";
import { profileText } from "../billing/words";
import { useProducts } from "../orders/hooks";
import { useCreateAcmeCredential } from "./hooks";
import { certbotCommand, certbotDnsCommand, legoCommand } from "./words";

/**
 * A new credential: a name, the product its orders buy and the billing profile they are charged to.
 * Then its key id and HMAC key, once, with commands ready to paste: the HMAC key is never shown again.
 */
export function CreateAcmeCredentialDialog({ teamId, open, onClose }: { teamId: string; open: boolean; onClose: () => void }) {
  const create = useCreateAcmeCredential(teamId);
  const [created, setCreated] = useState<CreatedAcmeCredential | null>(null);
  const close = () => {
    create.reset();
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      size="lg"
      title={created ? `ACME credential ${created.acmeCredential.name} created` : "New ACME credential"}
      description={created ? undefined : "ACME clients using it order into this team, buying the product you choose and charging the billing profile you pick."}
    >
      {created ? <SecretOnce created={created} onDone={close} /> : open ? <CreateForm teamId={teamId} create={create} onCreated={setCreated} onCancel={close} /> : null}
    </Dialog>
  );
}

function CreateForm({
  teamId,
  create,
  onCreated,
  onCancel,
}: {
  teamId: string;
  create: ReturnType<typeof useCreateAcmeCredential>;
  onCreated: (result: CreatedAcmeCredential) => void;
  onCancel: () => void;
}) {
  const products = useProducts();
  const canViewBilling = useCan("billing.view");
  const profiles = useBillingProfileOptions(teamId, canViewBilling);
  const addProfile = `${useTeamPath()("billing")}?add=profile`;
  const [name, setName] = useState("");
  const [chosenProduct, setChosenProduct] = useState("");
  const [chosenProfile, setChosenProfile] = useState("");
  const [touched, setTouched] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const productList = products.data ?? [];
  const profileList = profiles.data?.items ?? [];
  // An ACME order names its domains itself: a DV product is what clients ask for (OV and EV need documents).
  const productId = chosenProduct || productList.find((p) => p.type === "DV")?.id || productList[0]?.id || "";
  const profileId = chosenProfile || profileList[0]?.id || "";

  const problems = { name: !name.trim() ? "Give the credential a name, such as the servers or cluster that will use it." : undefined };
  const shown = {
    name: (touched ? problems.name : undefined) ?? fieldError(create.error, "name"),
    productId: fieldError(create.error, "productId"),
    billingProfileId: fieldError(create.error, "billingProfileId"),
  };
  const otherError = create.error && !shown.name && !shown.productId && !shown.billingProfileId ? create.error : null;
  const ready = productId !== "" && profileId !== "";

  return (
    <form
      ref={form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (problems.name || !ready) {
          focusFirstError(form.current);
          return;
        }
        create.mutate({ name: name.trim(), productId, billingProfileId: profileId }, { onSuccess: onCreated, onError: () => focusFirstError(form.current) });
      }}
    >
      <div className="stack">
        <TextField
          label="Credential name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          error={shown.name}
          autoComplete="off"
          hint="Who uses it, e.g. “Web servers” or “Production cluster”."
        />
        {products.isPending ? (
          <Loading label="Loading the catalogue…" />
        ) : products.error ? (
          <ErrorAlert error={products.error} action={<Button onClick={() => products.refetch()}>Try again</Button>} />
        ) : (
          <SelectField label="Product" value={productId} onChange={(e) => setChosenProduct(e.target.value)} error={shown.productId} hint="Every certificate ordered with this credential is this product.">
            {productList.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} · {formatMoney(p.priceMinor, p.currency)}
              </option>
            ))}
          </SelectField>
        )}
        {!canViewBilling ? (
          <Alert tone="warning" title="Billing profile">
            ACME orders are charged to one of the team's billing profiles, and your roles don't let you see them. Ask someone with the Billing role to create the credential.
          </Alert>
        ) : profiles.isPending ? (
          <Loading label="Loading billing profiles…" />
        ) : profiles.error ? (
          <ErrorAlert error={profiles.error} action={<Button onClick={() => profiles.refetch()}>Try again</Button>} />
        ) : profileList.length === 0 ? (
          <Alert tone="warning" title="No billing profile yet" action={<Link to={addProfile}>Add a billing profile</Link>}>
            ACME orders are charged when the client finalizes them, so the credential needs a billing profile.
          </Alert>
        ) : (
          <SelectField
            label="Billing profile"
            value={profileId}
            onChange={(e) => setChosenProfile(e.target.value)}
            error={shown.billingProfileId}
            hint="Each order is charged once, when the client finalizes it."
          >
            {profileList.map((p) => (
              <option key={p.id} value={p.id}>
                {profileText(p)}
              </option>
            ))}
          </SelectField>
        )}
        {otherError ? <ErrorAlert error={otherError} /> : null}
      </div>
      <div className="dialog-footer">
        <Button onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={create.isPending} disabled={!ready}>
          Create credential
        </Button>
      </div>
    </form>
  );
}

function SecretOnce({ created, onDone }: { created: CreatedAcmeCredential; onDone: () => void }) {
  const root = useRef<HTMLDivElement>(null);
  // The form's button is gone: the keyboard goes to the first copy button.
  useEffect(() => root.current?.querySelector<HTMLElement>(".copy-button")?.focus(), []);
  const { keyId, directoryUrl } = created.acmeCredential;
  const binding = { directoryUrl, keyId, hmacKey: created.hmacKey };
  return (
    <div className="stack" ref={root}>
      <Alert tone="warning" title="Copy the HMAC key now: it will not be shown again">
        An ACME client needs the key id and the HMAC key once, to register. If the HMAC key is lost, revoke this credential and create another.
      </Alert>
      <CopyField label="Key id" value={keyId} />
      <CopyField label="HMAC key" value={created.hmacKey} />
      <CopyField label="Directory URL" value={directoryUrl} />
      <div className="stack" data-testid="acme-commands">
        <p className="strong">Ready to paste</p>
        <p className="muted small">Replace example.com with your domain. These answer the http-01 challenge on port 80 of the machine they run on.</p>
        <CopyField label="certbot command" value={certbotCommand(binding)} multiline />
        <CopyField label="lego command" value={legoCommand(binding)} multiline />
        <p className="muted small">
          Behind a firewall or for a wildcard, prove the domain with a DNS TXT record instead (dns-01): certbot with <code>--manual --preferred-challenges dns</code> (or a DNS plugin), lego with{" "}
          <code>--dns &lt;provider&gt;</code> in place of <code>--http</code>.
        </p>
        <CopyField label="certbot dns-01 command" value={certbotDnsCommand(binding)} multiline />
      </div>
      <div className="dialog-footer">
        <Button variant="primary" onClick={onDone}>
          I have copied it
        </Button>
      </div>
    </div>
  );
}
