// How long a validation may be reused (SPEC 16, BR 4.2.1). The period is the one in force on the
// day of use, so a validation can lapse early when a shorter period starts: validated on
// 2026-12-01, it is reusable until 2027-03-15, when 100 days apply and it is already older.
const DAY_MS = 86_400_000;

/** From each date on, the longest a validation may be reused; the first row is the BR before the table. */
export const REUSE_PERIODS: readonly { from: Date; days: number }[] = [
  { from: new Date(-8.64e15), days: 398 },
  { from: new Date("2026-03-15T00:00:00.000Z"), days: 200 },
  { from: new Date("2027-03-15T00:00:00.000Z"), days: 100 },
  { from: new Date("2029-03-15T00:00:00.000Z"), days: 10 },
];

/**
 * The first moment at which the validation's age exceeds the period then in force: the earliest
 * segment [from, next from) in which validatedAt + days is reached, or its start if already past.
 */
export function reusableUntil(validatedAt: Date): Date {
  const v = validatedAt.getTime();
  for (let i = 0; i < REUSE_PERIODS.length; i++) {
    const period = REUSE_PERIODS[i]!;
    const end = REUSE_PERIODS[i + 1]?.from.getTime() ?? Infinity;
    if (end <= v) continue; // this period ended before the validation
    const lapse = Math.max(period.from.getTime(), v + period.days * DAY_MS);
    if (lapse < end) return new Date(lapse);
  }
  /* c8 ignore next */ throw new Error("the last period has no end, so a lapse is always found");
}

export function isReusable(validatedAt: Date, now: Date): boolean {
  return now.getTime() < reusableUntil(validatedAt).getTime();
}
