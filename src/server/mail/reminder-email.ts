// The reminder that a certificate is about to end (SPEC 19): names the certificate (serial), its
// domains, the end date and how to renew. Every interpolated value is escaped in the HTML and kept
// on one line in the subject and text.
import { button, escapeHtml, formatUtc, layout, oneLine, paragraph, rawLink } from "./layout.js";
import type { OutgoingEmail } from "./outbox.js";

export interface ReminderEmailInput {
  to: string;
  teamName: string;
  serial: string;
  domains: string[];
  notAfter: Date;
  daysBefore: number;
  /** The order's page in the dashboard, where a new CSR reissues. */
  link: string;
  /** Whether a reissue is still within the order's coverage (free), or a new order is needed. */
  coverageLeft: boolean;
  /** Set for an order placed through ACME: the credential whose client should renew it. */
  acmeCredentialName?: string;
}

export function certificateReminderEmail(input: ReminderEmailInput): OutgoingEmail {
  const first = oneLine(input.domains[0] ?? "");
  const others = input.domains.length > 1 ? ` and ${input.domains.length - 1} more` : "";
  const ends = formatUtc(input.notAfter);
  const days = input.daysBefore === 1 ? "1 day" : `${input.daysBefore} days`;
  const subject = `Your certificate for ${first}${others} ends in ${days}`;
  const renew =
    input.acmeCredentialName !== undefined
      ? `It was ordered through ACME with the credential "${oneLine(input.acmeCredentialName)}": the ACME client using that credential renews it by placing a new order, and has not yet. Check the client (certbot, lego or another) on the host that holds the certificate.`
      : input.coverageLeft
        ? "Renew it by submitting a new CSR on the order's page: the reissue is free within the order's coverage."
        : "The order's coverage ends with it: place a new order for these domains to keep them covered.";
  const team = oneLine(input.teamName);
  const text = [
    `The certificate ${input.serial} of the team ${team} ends on ${ends}.`,
    ``,
    `Domains:`,
    ...input.domains.map((d) => `  ${oneLine(d)}`),
    ``,
    renew,
    input.link,
    ``,
    `-- `,
    `certdesk`,
    ``,
  ].join("\n");
  const html = layout({
    title: `Certificate ends in ${days}`,
    preheader: `${first}${others} ends on ${ends}.`,
    body: [
      paragraph(`The certificate <code>${escapeHtml(input.serial)}</code> of the team <strong>${escapeHtml(team)}</strong> ends on <strong>${escapeHtml(ends)}</strong>.`),
      paragraph(`Domains: ${input.domains.map((d) => escapeHtml(oneLine(d))).join(", ")}`),
      paragraph(escapeHtml(renew)),
      button(input.coverageLeft && input.acmeCredentialName === undefined ? "Reissue the certificate" : "Open the order", input.link),
      rawLink(input.link),
    ].join("\n"),
    footer: "You receive this because you may manage certificates in this team.",
  });
  return { to: input.to, subject, text, html };
}
