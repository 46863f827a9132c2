import { useState } from "react";
import { fieldError } from "../../api/client";
import { CARD_BRANDS } from "../../../shared/account";
import type { CardBrand } from "../../../shared/account";
import type { BillingProfileDto as BillingProfile, NewBillingProfileInput as BillingProfileInput } from "../../../shared/schemas";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { SelectField, TextField } from "../../ui/Field";
import { useToast } from "../../ui/Toast";
import { useSaveBillingProfile } from "./hooks";
import { CARD_BRAND_LABELS, COMMON_COUNTRIES, cardText, countryName } from "./words";

const OTHER = "other";

/** Add (profile null) or edit a billing profile. Open while `open`; the form starts fresh each time. */
export function BillingProfileDialog({ teamId, open, profile, onClose }: { teamId: string; open: boolean; profile: BillingProfile | null; onClose: () => void }) {
  const save = useSaveBillingProfile(teamId);
  const close = () => {
    save.reset();
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={save.isPending}
      title={profile ? `Edit ${profile.name}` : "Add a billing profile"}
      description="Orders are charged to a billing profile. Anyone with Billing can pick it when buying a certificate."
    >
      {open ? <ProfileForm key={profile?.id ?? "new"} profile={profile} save={save} onDone={close} /> : null}
    </Dialog>
  );
}

function ProfileForm({ profile, save, onDone }: { profile: BillingProfile | null; save: ReturnType<typeof useSaveBillingProfile>; onDone: () => void }) {
  const toast = useToast();
  const initialCountry = profile?.country ?? "US";
  const common = (COMMON_COUNTRIES as readonly string[]).includes(initialCountry);
  const [name, setName] = useState(profile?.name ?? "");
  const [countryChoice, setCountryChoice] = useState(common ? initialCountry : OTHER);
  const [otherCountry, setOtherCountry] = useState(common ? "" : initialCountry);
  const [cardBrand, setCardBrand] = useState<CardBrand>((profile?.cardBrand as CardBrand | undefined) ?? "visa");
  const [cardLast4, setCardLast4] = useState(profile?.cardLast4 ?? "");
  const [street, setStreet] = useState(profile?.street ?? "");
  const [city, setCity] = useState(profile?.city ?? "");
  const [postalCode, setPostalCode] = useState(profile?.postalCode ?? "");
  const [touched, setTouched] = useState(false);

  const country = (countryChoice === OTHER ? otherCountry : countryChoice).trim().toUpperCase();
  const local = {
    name: name.trim() ? undefined : "Give the profile a name, e.g. the company or department.",
    country: /^[A-Z]{2}$/.test(country) ? undefined : "Enter a two-letter ISO country code, e.g. DE.",
    cardLast4: /^[0-9]{4}$/.test(cardLast4) ? undefined : "Enter exactly the last four digits of the card.",
  };
  const show = (field: keyof typeof local) => (touched ? local[field] : undefined) ?? fieldError(save.error, field);

  const submit = () => {
    setTouched(true);
    if (local.name || local.country || local.cardLast4) return;
    const input: BillingProfileInput = { name: name.trim(), country, cardBrand, cardLast4, street: street.trim(), city: city.trim(), postalCode: postalCode.trim() };
    save.mutate(
      { id: profile?.id ?? null, input },
      {
        onSuccess: (saved) => {
          toast.success(profile ? `Saved ${saved.name}.` : `Added ${saved.name} (${cardText(saved)}).`);
          onDone();
        },
      },
    );
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="stack">
        <TextField label="Profile name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required autoComplete="organization" error={show("name")} hint="Shown when choosing how to pay, e.g. “Acme GmbH — IT”." />
        <TextField label="Street and number" value={street} onChange={(e) => setStreet(e.target.value)} maxLength={100} autoComplete="street-address" error={fieldError(save.error, "street")} />
        <div className="form-row">
          <TextField label="Postal code" value={postalCode} onChange={(e) => setPostalCode(e.target.value)} maxLength={20} autoComplete="postal-code" error={fieldError(save.error, "postalCode")} />
          <TextField label="City" value={city} onChange={(e) => setCity(e.target.value)} maxLength={100} autoComplete="address-level2" error={fieldError(save.error, "city")} />
        </div>
        <div className="form-row">
          <SelectField label="Country" value={countryChoice} onChange={(e) => setCountryChoice(e.target.value)} error={countryChoice === OTHER ? undefined : show("country")}>
            {COMMON_COUNTRIES.map((code) => (
              <option key={code} value={code}>
                {countryName(code)} ({code})
              </option>
            ))}
            <option value={OTHER}>Another country…</option>
          </SelectField>
          {countryChoice === OTHER ? (
            <TextField
              label="Country code"
              value={otherCountry}
              onChange={(e) => setOtherCountry(e.target.value.toUpperCase().slice(0, 2))}
              maxLength={2}
              autoComplete="country"
              placeholder="e.g. LU"
              hint={/^[A-Z]{2}$/.test(country) ? countryName(country) : "ISO 3166-1 alpha-2"}
              error={show("country")}
              spellCheck={false}
            />
          ) : null}
        </div>
        <fieldset className="card-fields">
          <legend>Card</legend>
          <Alert tone="info">certdesk never asks for or stores a card number. Enter only the card's brand and its last four digits, so your team can tell cards apart.</Alert>
          <div className="form-row">
            <SelectField label="Card brand" value={cardBrand} onChange={(e) => setCardBrand(e.target.value as CardBrand)} error={fieldError(save.error, "cardBrand")}>
              {CARD_BRANDS.map((brand) => (
                <option key={brand} value={brand}>
                  {CARD_BRAND_LABELS[brand]}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Last four digits"
              value={cardLast4}
              onChange={(e) => setCardLast4(e.target.value.replace(/\D/g, "").slice(0, 4))}
              inputMode="numeric"
              pattern="[0-9]{4}"
              maxLength={4}
              autoComplete="off"
              placeholder="4242"
              className="field-narrow"
              error={show("cardLast4")}
            />
          </div>
        </fieldset>
        {save.error ? <ErrorAlert error={save.error} /> : null}
      </div>
      <div className="dialog-footer">
        <Button onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={save.isPending}>
          {profile ? "Save changes" : "Add billing profile"}
        </Button>
      </div>
    </form>
  );
}
