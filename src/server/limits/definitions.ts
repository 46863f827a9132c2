// Every rate limit of certdesk, in one table: its rule, its numbers, whether RATE_LIMIT_SCALE
// applies, and what it is keyed by. Routes name these in `config.limits`; handlers and commands
// that learn a key only later (the inviter, an invitation's recipient) call the limiter by name.
//
// Rules:
// - "window": every attempt counts; past `max` in a fixed window (from the key's first attempt) → 429.
// - "failures": only failures count (the caller reports them); past `max` in the window → 429 until it ends.
// - "backoff": only failures count; after `free` of them the next attempt waits firstWaitMs, doubling
//   with every further failure up to maxWaitMs, measured from the last failure.
//
// RATE_LIMIT_SCALE (API.md) multiplies the limits a load test from one address would hit: those per
// client address, and as before, per inviter and per team. It never applies to the failed-log-in
// backoff per account (a real user is never locked out for more than a minute, scaled or not), nor
// to the re-send limits per invitation and per recipient, which protect one person's inbox.
import { HOUR, MINUTE } from "../clock.js";

/**
 * What a limit counts by, and how a raw value becomes its key:
 * clientAddress – the request's address, an IPv6 one by its /64 (clientKey);
 * accountEmail, recipient – an e-mail address, trimmed, NFC, lower-cased;
 * inviter, user (user ids), team, invitation, apiKey, acmeAccount, acmeCredential – the id as it is.
 */
export type KeyKind = "clientAddress" | "accountEmail" | "inviter" | "user" | "team" | "invitation" | "recipient" | "apiKey" | "acmeAccount" | "acmeCredential";

interface Common {
  key: KeyKind;
  scaled: boolean;
  windowMs: number;
  /** The problem's detail when refused. */
  detail: string;
}

export interface WindowRule extends Common {
  rule: "window";
  max: number;
}

export interface FailuresRule extends Common {
  rule: "failures";
  max: number;
}

export interface BackoffRule extends Common {
  rule: "backoff";
  scaled: false;
  free: number;
  firstWaitMs: number;
  maxWaitMs: number;
}

export type LimitRule = WindowRule | FailuresRule | BackoffRule;

export const LIMITS = {
  requestsPerAddress: {
    rule: "window", max: 1200, windowMs: MINUTE, scaled: true, key: "clientAddress",
    detail: "Too many requests from this address; try again later.",
  },
  /** Each API key's own budget, beside its address's: one runaway script cannot starve the team's others. */
  requestsPerApiKey: {
    rule: "window", max: 600, windowMs: MINUTE, scaled: true, key: "apiKey",
    detail: "Too many requests with this API key; try again later.",
  },
  signUpsPerAddress: {
    rule: "window", max: 20, windowMs: HOUR, scaled: true, key: "clientAddress",
    detail: "Too many sign-ups from this address; try again later.",
  },
  passwordResetsPerAddress: {
    rule: "window", max: 10, windowMs: HOUR, scaled: true, key: "clientAddress",
    detail: "Too many password reset requests from this address; try again later.",
  },
  invitationsPerAddress: {
    rule: "window", max: 100, windowMs: HOUR, scaled: true, key: "clientAddress",
    detail: "Too many invitations from this address; try again later.",
  },
  /** New invitations and re-sends share one budget per inviter: each is an e-mail they caused. */
  invitationsPerInviter: {
    rule: "window", max: 100, windowMs: HOUR, scaled: true, key: "inviter",
    detail: "Too many invitations from you; try again later.",
  },
  invitationsPerTeam: {
    rule: "window", max: 300, windowMs: HOUR, scaled: true, key: "team",
    detail: "Too many invitations from this team; try again later.",
  },
  resendsPerInvitation: {
    rule: "window", max: 3, windowMs: HOUR, scaled: false, key: "invitation",
    detail: "This invitation was re-sent too often; try again later.",
  },
  /** Re-sends to one address across every team: several teams cannot take turns flooding one inbox. */
  resendsPerRecipient: {
    rule: "window", max: 5, windowMs: HOUR, scaled: false, key: "recipient",
    detail: "Too many invitations were re-sent to this address; try again later.",
  },
  /**
   * Changing the password from account settings, every attempt counted (a wrong current password
   * too): a stolen session cannot try current passwords fast. Per person, so not scaled.
   */
  passwordChangesPerUser: {
    rule: "window", max: 10, windowMs: HOUR, scaled: false, key: "user",
    detail: "Too many password changes; try again later.",
  },
  /** Domain approval links tried from one address: the tokens are unguessable; this only stops hammering. */
  domainApprovalsPerAddress: {
    rule: "window", max: 30, windowMs: HOUR, scaled: true, key: "clientAddress",
    detail: "Too many domain approvals from this address; try again later.",
  },
  /** Approval e-mails (the email method) to one address across every team: nobody floods admin@ a stranger's domain. */
  approvalEmailsPerRecipient: {
    rule: "window", max: 5, windowMs: HOUR, scaled: false, key: "recipient",
    detail: "Too many approval e-mails were sent to this address; try again later.",
  },
  /** ACME (SPEC 20): new orders per account and per credential (all the accounts of one binding together). */
  acmeOrdersPerAccount: {
    rule: "window", max: 300, windowMs: HOUR, scaled: true, key: "acmeAccount",
    detail: "Too many new orders for this ACME account; try again later.",
  },
  acmeOrdersPerCredential: {
    rule: "window", max: 1000, windowMs: HOUR, scaled: true, key: "acmeCredential",
    detail: "Too many new orders with this ACME credential; try again later.",
  },
  /** Failed challenges: a client that keeps failing (a broken hook) stops asking certdesk to look. */
  acmeFailedValidationsPerAccount: {
    rule: "failures", max: 60, windowMs: HOUR, scaled: true, key: "acmeAccount",
    detail: "Too many failed validations for this ACME account; try again later.",
  },
  acmeFailedValidationsPerCredential: {
    rule: "failures", max: 200, windowMs: HOUR, scaled: true, key: "acmeCredential",
    detail: "Too many failed validations with this ACME credential; try again later.",
  },
  failedLogInsPerAccount: {
    rule: "backoff", free: 5, firstWaitMs: 1000, maxWaitMs: MINUTE, windowMs: 15 * MINUTE, scaled: false, key: "accountEmail",
    detail: "Too many failed log-ins for this account.",
  },
  failedLogInsPerAddress: {
    rule: "failures", max: 100, windowMs: 15 * MINUTE, scaled: true, key: "clientAddress",
    detail: "Too many failed log-ins from this address.",
  },
} as const satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof LIMITS;

/** Limits that count every attempt (take them); the others count failures (check, then report). */
export type WindowLimitName = { [N in LimitName]: (typeof LIMITS)[N]["rule"] extends "window" ? N : never }[LimitName];
export type FailureLimitName = Exclude<LimitName, WindowLimitName>;
