// How long a certificate may be valid (SPEC 17): the CA/Browser Forum's maximum on its issuance
// date (ballot SC-081: 200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15; 398
// before), counted inclusively as BR 6.3.2 does — notAfter − notBefore is at most the maximum less
// one second — and never past the order's coverage, the product's 1 or 2 years from the first
// issuance. Pure functions of the dates they are given: the issuance date comes from the clock.
const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

/** Each step of the schedule: from this instant on, at most this many days. Newest first. */
export const LIFETIME_STEPS: readonly { from: Date; maxDays: number }[] = [
  { from: new Date("2029-03-15T00:00:00.000Z"), maxDays: 47 },
  { from: new Date("2027-03-15T00:00:00.000Z"), maxDays: 100 },
  { from: new Date("2026-03-15T00:00:00.000Z"), maxDays: 200 },
];
const BEFORE_SC081_DAYS = 398;

/** The BR maximum, in days, for a certificate issued at `issuedAt`. */
export function maxLifetimeDays(issuedAt: Date): number {
  return LIFETIME_STEPS.find((step) => issuedAt.getTime() >= step.from.getTime())?.maxDays ?? BEFORE_SC081_DAYS;
}

/** The order's coverage: `years` calendar years from its first issuance. */
export function coverageEnd(firstIssuedAt: Date, years: number): Date {
  const end = new Date(firstIssuedAt.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + years);
  return end;
}

/**
 * The notAfter of a certificate whose notBefore is `notBefore` (whole seconds): the BR maximum
 * less one second, or the coverage's end when that comes first. Undefined when the coverage has
 * ended (nothing may be issued any more).
 */
export function certificateNotAfter(notBefore: Date, coverageEndsAt: Date): Date | undefined {
  const byRules = notBefore.getTime() + maxLifetimeDays(notBefore) * DAY - SECOND;
  const byCoverage = Math.floor(coverageEndsAt.getTime() / SECOND) * SECOND;
  const notAfter = Math.min(byRules, byCoverage);
  return notAfter > notBefore.getTime() ? new Date(notAfter) : undefined;
}
