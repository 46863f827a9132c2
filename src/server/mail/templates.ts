// The e-mails certdesk sends, each as a subject, a plain-text body and an HTML body.
// Every interpolated value is user input somewhere (team and user names): the HTML
// escapes all of it, and subjects and text keep it on one line.
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "../../shared/permissions.js";
import type { Role } from "../../shared/permissions.js";
import { button, escapeHtml, formatUtc, layout, oneLine, paragraph, rawLink } from "./layout.js";
import type { OutgoingEmail } from "./outbox.js";

export interface InvitationEmailInput {
  to: string;
  teamName: string;
  inviterName: string;
  inviterEmail: string;
  roles: Role[];
  expiresAt: Date;
  link: string;
}

export interface PasswordResetEmailInput {
  to: string;
  name: string;
  link: string;
  expiresAt: Date;
}

/** What each role lets a member do, in the words of the invitation e-mail. */

/** The roles asked for, once each, in the catalogue's order. */
function sortedRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

/** "A", "A and B", "A, B and C". */
function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const SIGN_OFF = "certdesk";

export function invitationEmail(input: InvitationEmailInput): OutgoingEmail {
  const team = oneLine(input.teamName);
  const inviter = oneLine(input.inviterName) || oneLine(input.inviterEmail);
  const inviterEmail = oneLine(input.inviterEmail);
  const roles = sortedRoles(input.roles);
  const labels = roles.map((role) => ROLE_LABELS[role]);
  const expires = formatUtc(input.expiresAt);
  const roleWord = roles.length === 1 ? "role" : "roles";

  const subject = `${inviter} invited you to join ${team} on certdesk`;

  const text = [
    `Hello,`,
    ``,
    `${inviter} (${inviterEmail}) invited you to join the team "${team}" on certdesk` +
      (labels.length > 0 ? ` with the ${roleWord} ${listInWords(labels)}.` : `.`),
    ``,
    ...(roles.length > 0
      ? [`What you will be able to do:`, ...roles.map((role) => `  - ${ROLE_LABELS[role]}: ${ROLE_DESCRIPTIONS[role]}`), ``]
      : []),
    `Accept or decline the invitation here:`,
    input.link,
    ``,
    `The invitation expires on ${expires}.`,
    `It can be accepted once, by signing in (or signing up) as ${oneLine(input.to)}.`,
    ``,
    `If you were not expecting this invitation, you can ignore this e-mail.`,
    ``,
    `-- `,
    SIGN_OFF,
    ``,
  ].join("\n");

  const roleRows = roles
    .map(
      (role) =>
        `<tr><td style="padding:6px 12px 6px 0;vertical-align:top;white-space:nowrap;font-weight:600;color:#111827">` +
        `${escapeHtml(ROLE_LABELS[role])}</td>` +
        `<td style="padding:6px 0;vertical-align:top;color:#374151">${escapeHtml(ROLE_DESCRIPTIONS[role])}</td></tr>`,
    )
    .join("");
  const roleTable =
    roles.length > 0
      ? paragraph(`Your ${roleWord} in this team:`) +
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" ` +
        `style="margin:0 0 20px 0;font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:20px">${roleRows}</table>`
      : "";

  const html = layout({
    title: `Join ${team} on certdesk`,
    preheader: `${inviter} invited you to join ${team}. The invitation expires on ${expires}.`,
    body: [
      paragraph(
        `<strong>${escapeHtml(inviter)}</strong> (<a href="mailto:${escapeHtml(inviterEmail)}" style="color:#1d4ed8">` +
          `${escapeHtml(inviterEmail)}</a>) invited you to join the team <strong>${escapeHtml(team)}</strong> on certdesk.`,
      ),
      roleTable,
      button("View the invitation", input.link),
      paragraph(
        `The invitation expires on <strong>${escapeHtml(expires)}</strong>. It can be accepted once, by signing in ` +
          `(or signing up) as ${escapeHtml(oneLine(input.to))}.`,
      ),
      rawLink(input.link),
    ].join("\n"),
    footer: "If you were not expecting this invitation, you can ignore this e-mail: nothing happens unless you accept it.",
  });

  return { to: input.to, subject, text, html };
}

export function passwordResetEmail(input: PasswordResetEmailInput): OutgoingEmail {
  const name = oneLine(input.name);
  const expires = formatUtc(input.expiresAt);
  const greeting = name ? `Hello ${name},` : `Hello,`;

  const text = [
    greeting,
    ``,
    `Someone (hopefully you) asked to reset the password of your certdesk account.`,
    `Choose a new password here:`,
    input.link,
    ``,
    `The link can be used once and expires in 1 hour, on ${expires}.`,
    `Setting a new password signs you out of every session.`,
    ``,
    `If you did not ask for this, ignore this e-mail: your password stays as it is.`,
    ``,
    `-- `,
    SIGN_OFF,
    ``,
  ].join("\n");

  const html = layout({
    title: "Reset your certdesk password",
    preheader: `The link expires in 1 hour, on ${expires}.`,
    body: [
      paragraph(escapeHtml(greeting)),
      paragraph("Someone (hopefully you) asked to reset the password of your certdesk account."),
      button("Choose a new password", input.link),
      paragraph(
        `The link can be used once and expires in 1 hour, on <strong>${escapeHtml(expires)}</strong>. ` +
          `Setting a new password signs you out of every session.`,
      ),
      rawLink(input.link),
    ].join("\n"),
    footer: "If you did not ask for this, ignore this e-mail: your password stays as it is.",
  });

  return { to: input.to, subject: "Reset your certdesk password", text, html };
}
