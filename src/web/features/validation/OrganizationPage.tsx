import { useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fieldError } from "../../api/client";
import { organizationApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { OrganizationProfileDto as OrganizationProfile } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { SelectField, TextField } from "../../ui/Field";
import { formatDateTime } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { focusFirstError } from "../../ui/validation";
import { COMMON_COUNTRIES, countryName } from "../billing/words";

type Errors = Partial<Record<"legalName" | "locality" | "country", string>>;

function ProfileForm({ teamId, profile }: { teamId: string; profile: OrganizationProfile | null }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [legalName, setLegalName] = useState(profile?.legalName ?? "");
  const [locality, setLocality] = useState(profile?.locality ?? "");
  const [country, setCountry] = useState(profile?.country ?? "");
  const [errors, setErrors] = useState<Errors>({});
  const save = useMutation({
    mutationFn: () => organizationApi.put(teamId, { legalName: legalName.trim(), locality: locality.trim(), country }),
    onSuccess: (answer) => queryClient.setQueryData([...keys.team(teamId), "organization"], answer),
  });
  const countries: string[] = [...COMMON_COUNTRIES];
  if (profile && !countries.includes(profile.country)) countries.unshift(profile.country);
  const shown: Errors = {
    legalName: errors.legalName ?? fieldError(save.error, "legalName"),
    locality: errors.locality ?? fieldError(save.error, "locality"),
    country: errors.country ?? fieldError(save.error, "country"),
  };
  const anyFieldError = Object.values(shown).some(Boolean);
  return (
    <form
      ref={form}
      className="stack form-narrow"
      noValidate
      aria-label="Organization profile"
      onSubmit={(event) => {
        event.preventDefault();
        const found: Errors = {};
        if (!legalName.trim()) found.legalName = "Enter the organization's registered legal name.";
        if (!locality.trim()) found.locality = "Enter the city or town of its registered address.";
        if (!/^[A-Z]{2}$/.test(country)) found.country = "Choose the country.";
        setErrors(found);
        if (Object.keys(found).length > 0) return focusFirstError(form.current);
        save.mutate(undefined, {
          onSuccess: () => toast.success("Saved the organization profile."),
          onError: () => focusFirstError(form.current),
        });
      }}
    >
      <TextField label="Legal name" value={legalName} onChange={(e) => setLegalName(e.target.value)} maxLength={100} autoComplete="organization" error={shown.legalName} hint="Exactly as registered, e.g. “Acme Widgets GmbH”. Shown as the certificate's organization (O)." />
      <TextField label="Locality" value={locality} onChange={(e) => setLocality(e.target.value)} maxLength={100} autoComplete="address-level2" error={shown.locality} hint="The city or town of the registered address (L)." />
      <SelectField label="Country" value={country} onChange={(e) => setCountry(e.target.value)} error={shown.country}>
        <option value="">Choose…</option>
        {countries.map((code) => (
          <option key={code} value={code}>
            {countryName(code)} ({code})
          </option>
        ))}
      </SelectField>
      {save.error && !anyFieldError ? <ErrorAlert error={save.error} /> : null}
      <div>
        <Button type="submit" variant="primary" pending={save.isPending}>
          Save organization profile
        </Button>
      </div>
    </form>
  );
}

/**
 * The team's organization profile (SPEC 17): the legal name, locality and country its OV and EV
 * certificates name. Kept by holders of validation.manage; others with validation.view read it.
 */
export function OrganizationPage() {
  const team = useActiveTeam();
  const canManage = useCan("validation.manage");
  const profile = useQuery({ queryKey: [...keys.team(team.id), "organization"], queryFn: () => organizationApi.get(team.id) });
  const current = profile.data?.organization ?? null;
  return (
    <Page title="Organization" description={`Who ${team.name} is, as its OV and EV certificates say. DV certificates name only the domains.`}>
      <Card
        title="Organization profile"
        description={current ? `Last changed ${formatDateTime(current.updatedAt)}.` : "Not set yet: OV and EV orders cannot be issued until it is, and a document proving it is uploaded to the order."}
      >
        {profile.isPending ? (
          <Loading label="Loading the organization profile…" />
        ) : profile.error ? (
          <ErrorAlert error={profile.error} action={<Button onClick={() => profile.refetch()}>Try again</Button>} />
        ) : canManage ? (
          <ProfileForm teamId={team.id} profile={current} />
        ) : current ? (
          <dl className="facts" data-testid="organization-facts">
            <div>
              <dt>Legal name</dt>
              <dd>{current.legalName}</dd>
            </div>
            <div>
              <dt>Locality</dt>
              <dd>{current.locality}</dd>
            </div>
            <div>
              <dt>Country</dt>
              <dd>
                {countryName(current.country)} ({current.country})
              </dd>
            </div>
          </dl>
        ) : (
          <p className="muted">Someone with the Validation role sets it.</p>
        )}
      </Card>
    </Page>
  );
}
