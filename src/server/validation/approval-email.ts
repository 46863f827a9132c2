// The `email` method's message (BR 3.2.2.4.4): sent to the constructed address the validator chose,
// it names the domain, the team that asked and the link that approves. Nothing happens unless the
// recipient opens the link and confirms.
import { button, escapeHtml, formatUtc, layout, oneLine, paragraph, rawLink } from "../mail/layout.js";
import type { OutgoingEmail } from "../mail/outbox.js";

export interface ApprovalEmailInput {
  to: string;
  domain: string;
  teamName: string;
  link: string;
  expiresAt: Date;
}

export function domainApprovalEmail(input: ApprovalEmailInput): OutgoingEmail {
  const domain = oneLine(input.domain);
  const team = oneLine(input.teamName);
  const expires = formatUtc(input.expiresAt);
  const subject = `Approve a certificate for ${domain}`;
  const text = [
    `Hello,`,
    ``,
    `The certdesk team "${team}" asks to prove control of ${domain} in order to get a TLS certificate for it.`,
    `This address, ${input.to}, is one a certificate authority may ask (CA/Browser Forum BR 3.2.2.4.4).`,
    `If you approve, open this link and confirm:`,
    input.link,
    ``,
    `The link can be used once and expires on ${expires}.`,
    `If you do not know about this request, ignore this e-mail: nothing is approved unless you confirm.`,
    ``,
  ].join("\n");
  const html = layout({
    title: subject,
    preheader: `${team} asks to prove control of ${domain}. The link expires on ${expires}.`,
    body: [
      paragraph(`The certdesk team <strong>${escapeHtml(team)}</strong> asks to prove control of <strong>${escapeHtml(domain)}</strong> in order to get a TLS certificate for it.`),
      button("Review and approve", input.link),
      paragraph(`The link can be used once and expires on <strong>${escapeHtml(expires)}</strong>.`),
      rawLink(input.link),
    ].join("\n"),
    footer: "If you do not know about this request, ignore this e-mail: nothing is approved unless you confirm.",
  });
  return { to: input.to, subject, text, html };
}
