// The pieces every e-mail shares: HTML escaping, one-line text, UTC dates in words,
// and a simple inline-styled table layout that renders the same in every mail client.

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * User input on one line: control characters (CR, LF, tabs, NUL…) and runs of
 * whitespace become one space, so a team name cannot add lines or headers.
 */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, " ").trim();
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "Sunday, 29 November 2026 at 14:05 UTC": the same words whatever the server's locale. */
export function formatUtc(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${WEEKDAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}` +
    ` at ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`
  );
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif";
const TEXT = `${FONT};font-size:15px;line-height:22px;color:#1f2933`;

/** A paragraph of already-escaped HTML. */
export function paragraph(html: string): string {
  return `<p style="margin:0 0 16px 0;${TEXT}">${html}</p>`;
}

/** A link that looks like a button in every client (a table cell, not CSS on <a> alone). */
export function button(label: string, href: string): string {
  const url = escapeHtml(href);
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px 0">` +
    `<tr><td style="border-radius:6px;background:#1d4ed8">` +
    `<a href="${url}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${FONT};` +
    `font-size:15px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(label)}</a>` +
    `</td></tr></table>`
  );
}

/** The raw URL under the button, for clients that block buttons and for copying. */
export function rawLink(href: string): string {
  const url = escapeHtml(href);
  return (
    `<p style="margin:0 0 16px 0;${FONT};font-size:13px;line-height:20px;color:#52606d">` +
    `If the button does not work, copy this address into your browser:<br>` +
    `<a href="${url}" target="_blank" rel="noopener" style="color:#1d4ed8;word-break:break-all">${url}</a></p>`
  );
}

export interface LayoutInput {
  /** The document title and the heading, plain text (escaped here). */
  title: string;
  /** Short plain text shown by clients next to the subject (escaped here). */
  preheader: string;
  /** The body, already-escaped HTML. */
  body: string;
  /** Small print at the bottom, plain text (escaped here). */
  footer: string;
}

/** The whole HTML document: a centred 600px card, inline styles only. */
export function layout(input: LayoutInput): string {
  return [
    `<!DOCTYPE html>`,
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>${escapeHtml(input.title)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f3f4f6">`,
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${escapeHtml(input.preheader)}</div>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6">`,
    `<tr><td align="center" style="padding:24px 12px">`,
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px">`,
    `<tr><td style="padding:0 0 16px 4px;${FONT};font-size:18px;font-weight:700;color:#1d4ed8">certdesk</td></tr>`,
    `<tr><td style="background:#ffffff;border:1px solid #e5e7eb;border-radius:8px;padding:32px">`,
    `<h1 style="margin:0 0 20px 0;${FONT};font-size:22px;line-height:30px;color:#111827">${escapeHtml(input.title)}</h1>`,
    input.body,
    `</td></tr>`,
    `<tr><td style="padding:16px 4px;${FONT};font-size:12px;line-height:18px;color:#6b7280">${escapeHtml(input.footer)}</td></tr>`,
    `</table>`,
    `</td></tr></table>`,
    `</body></html>`,
  ].join("\n");
}
