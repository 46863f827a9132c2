import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { fieldError } from "../../api/client";
import { useCan } from "../../app/Can";
import { useTeamPath } from "../../app/session";
import { teamPath } from "../../app/teamPaths";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { SelectField, TextAreaField } from "../../ui/Field";
import { formatMoney, plural } from "../../ui/format";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { useBillingProfileOptions } from "../billing/hooks";
import { cardText, profileText } from "../billing/words";
import { MAX_DOMAINS, checkDomainLines, parseDomains, serverDomainErrors } from "./domains";
import type { DomainLine } from "./domains";
import { usePlaceOrder, useProducts } from "./hooks";
import { PRODUCT_TYPE_TEXT } from "./words";

export function BuyCertificateDialog({ teamId, open, onClose }: { teamId: string; open: boolean; onClose: () => void }) {
  const place = usePlaceOrder(teamId);
  const close = () => {
    place.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} busy={place.isPending} size="lg" title="Buy a certificate" description="Choose a product, list the domains, and pick the billing profile to charge.">
      {open ? <BuyForm teamId={teamId} place={place} onDone={close} /> : null}
    </Dialog>
  );
}

function BuyForm({ teamId, place, onDone }: { teamId: string; place: ReturnType<typeof usePlaceOrder>; onDone: () => void }) {
  const products = useProducts();
  const canViewBilling = useCan("billing.view");
  const canManageBilling = useCan("billing.manage");
  const profiles = useBillingProfileOptions(teamId, canViewBilling);
  const toast = useToast();
  const navigate = useNavigate();

  const [productId, setProductId] = useState("dv-1y");
  const [domainsText, setDomainsText] = useState("");
  const [chosenProfile, setChosenProfile] = useState<string>("");
  const [touched, setTouched] = useState(false);
  const [sent, setSent] = useState<DomainLine[]>([]);

  const product = products.data?.find((p) => p.id === productId) ?? products.data?.[0];
  const domains = useMemo(() => parseDomains(domainsText), [domainsText]);
  const profileList = profiles.data?.items ?? [];
  const profileId = chosenProfile || profileList[0]?.id || "";
  const profile = profileList.find((p) => p.id === profileId);

  const localProblems = checkDomainLines(domains, product);
  const serverProblems = serverDomainErrors(place.error, sent);
  const domainsError = (touched && localProblems.length ? localProblems : serverProblems).join(" ") || undefined;
  const otherError = place.error && !serverProblems.length && !fieldError(place.error, "productId") ? place.error : null;

  const submit = () => {
    setTouched(true);
    if (!product || !profile || localProblems.length) return;
    setSent(domains);
    place.mutate(
      { productId: product.id, domains: domains.map((d) => d.value), billingProfileId: profile.id },
      {
        onSuccess: (order) => {
          toast.success(`Ordered ${product.name} for ${plural(order.domains.length, "domain")}; charged ${formatMoney(order.priceMinor, order.currency)} to ${cardText(profile)}.`);
          onDone();
          navigate(teamPath(teamId, "orders", order.id));
        },
      },
    );
  };

  const groups = (["DV", "OV", "EV"] as const).map((type) => ({ type, items: (products.data ?? []).filter((p) => p.type === type) })).filter((g) => g.items.length);

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="stack">
        <fieldset>
          <legend>Product</legend>
          {products.isPending ? (
            <Loading label="Loading the catalogue…" />
          ) : products.error ? (
            <ErrorAlert error={products.error} action={<Button onClick={() => products.refetch()}>Try again</Button>} />
          ) : (
            <div className="product-groups">
              {groups.map((group) => (
                <div key={group.type} className="product-group">
                  <p className="product-group-text">
                    <span className="strong">{group.type}</span>
                    <span className="muted small">{PRODUCT_TYPE_TEXT[group.type]}</span>
                  </p>
                  {group.items.map((p) => (
                    <label key={p.id} className="product-option">
                      <input
                        type="radio"
                        name="product"
                        value={p.id}
                        checked={product?.id === p.id}
                        onChange={() => setProductId(p.id)}
                        aria-label={`${p.name}, ${formatMoney(p.priceMinor, p.currency)}, ${p.wildcardAllowed ? "wildcards allowed" : "no wildcards"}`}
                      />
                      <span className="product-option-main" aria-hidden="true">
                        <span className="product-option-name">{p.years === 1 ? "1 year" : `${p.years} years`}</span>
                        <span className="product-option-meta">{p.wildcardAllowed ? "Wildcards allowed" : "No wildcards"}</span>
                      </span>
                      <span className="product-option-price" aria-hidden="true">
                        {formatMoney(p.priceMinor, p.currency)}
                      </span>
                    </label>
                  ))}
                </div>
              ))}
            </div>
          )}
          {fieldError(place.error, "productId") ? <p className="field-error">{fieldError(place.error, "productId")}</p> : null}
        </fieldset>

        <TextAreaField
          label="Domains"
          value={domainsText}
          onChange={(e) => setDomainsText(e.target.value)}
          rows={5}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          placeholder={"example.com\nwww.example.com"}
          className="field-mono"
          hint={
            <>
              One per line, 1 to {MAX_DOMAINS}. {product?.wildcardAllowed ? "Wildcards like *.example.com are allowed." : "This product does not cover wildcards."}{" "}
              <span className="counter">{plural(domains.length, "domain")}</span>
            </>
          }
          error={domainsError}
        />

        <BillingProfilePicker
          canView={canViewBilling}
          canManage={canManageBilling}
          profiles={profiles}
          value={profileId}
          onChange={setChosenProfile}
        />

        {product && profile ? (
          <p className="order-summary">
            Total <span className="strong">{formatMoney(product.priceMinor, product.currency)}</span>, charged to {profileText(profile)} when you place the order. Refundable for 30 days.
          </p>
        ) : null}
        {otherError ? <ErrorAlert error={otherError} /> : null}
      </div>
      <div className="dialog-footer">
        <Button onClick={onDone} disabled={place.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={place.isPending} disabled={!product || !profile}>
          Place order
        </Button>
      </div>
    </form>
  );
}

function BillingProfilePicker({
  canView,
  canManage,
  profiles,
  value,
  onChange,
}: {
  canView: boolean;
  canManage: boolean;
  profiles: ReturnType<typeof useBillingProfileOptions>;
  value: string;
  onChange: (id: string) => void;
}) {
  const addProfile = `${useTeamPath()("billing")}?add=profile`;
  if (!canView)
    return (
      <Alert tone="warning" title="Billing profile">
        Orders are charged to one of the team's billing profiles, and your roles don't let you see them. Ask someone with the Billing role to set one up and place the order.
      </Alert>
    );
  if (profiles.isPending) return <Loading label="Loading billing profiles…" />;
  if (profiles.error) return <ErrorAlert error={profiles.error} action={<Button onClick={() => profiles.refetch()}>Try again</Button>} />;
  const list = profiles.data?.items ?? [];
  if (list.length === 0)
    return (
      <Alert
        tone="warning"
        title="No billing profile yet"
        action={
          canManage ? (
            <Link to={addProfile} className="btn btn-secondary btn-sm">
              Add a billing profile
            </Link>
          ) : null
        }
      >
        {canManage ? "An order is charged to a billing profile. Add one first: it takes a name, a country and the card's brand and last four digits." : "An order is charged to a billing profile. Ask someone with the Billing role to add one."}
      </Alert>
    );
  return (
    <SelectField label="Billing profile" value={value} onChange={(e) => onChange(e.target.value)} hint={canManage ? <Link to={addProfile}>Add another billing profile</Link> : undefined}>
      {list.map((p) => (
        <option key={p.id} value={p.id}>
          {profileText(p)} ({p.country})
        </option>
      ))}
    </SelectField>
  );
}
