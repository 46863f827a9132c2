// A team's organization profile (SPEC 17, issue 11): the subject O, L and C of its OV and EV
// certificates. Kept by validation.manage, read with validation.view.
import { Type } from "typebox";
import type { Static } from "typebox";
import { Name, Timestamp } from "./common.js";

export const OrganizationProfile = Type.Object({
  legalName: Type.String(),
  locality: Type.String(),
  country: Type.String(),
  updatedAt: Timestamp,
});

export const OrganizationProfileBody = Type.Object(
  {
    legalName: { ...Name, minLength: 1, description: "The registered legal name, as the certificate's O." },
    locality: { ...Name, minLength: 1, description: "City or town, as the certificate's L." },
    country: Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2, as the certificate's C" }),
  },
  { additionalProperties: false },
);

export type OrganizationProfileDto = Static<typeof OrganizationProfile>;
export type OrganizationProfileInput = Static<typeof OrganizationProfileBody>;
