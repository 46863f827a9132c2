import type { Permission } from "../../shared/permissions";

export interface NavItem {
  /** The page's path within its team: /teams/<id>/<to> ("" is the overview). */
  to: string;
  label: string;
  /** Shown when the caller holds any of these in the active team (none: always). */
  anyOf?: readonly Permission[];
  end?: boolean;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

/**
 * The sidebar: the team, then its certificate account. Validation, documents and certificates
 * live on each order's page. A section whose items are all hidden is not shown.
 */
export const NAV: NavSection[] = [
  {
    label: "Team",
    items: [
      { to: "", label: "Overview", end: true },
      { to: "members", label: "Members", anyOf: ["team.view"] },
      { to: "invitations", label: "Invitations", anyOf: ["members.invite"] },
      { to: "audit", label: "Audit log", anyOf: ["audit.view"] },
      { to: "api-keys", label: "API keys", anyOf: ["automation.manage"] },
      { to: "acme", label: "ACME", anyOf: ["automation.manage"] },
      { to: "settings", label: "Settings", anyOf: ["team.update", "team.delete", "team.transfer"] },
    ],
  },
  {
    label: "Certificates",
    items: [
      { to: "orders", label: "Orders", anyOf: ["orders.view"] },
      { to: "domains", label: "Domains", anyOf: ["validation.view"] },
      { to: "organization", label: "Organization", anyOf: ["validation.view"] },
      { to: "billing", label: "Billing", anyOf: ["billing.view"] },
    ],
  },
];

/** The nav item a path within a team ("orders/abc") belongs to (longest match). */
export function navItemFor(pathname: string): NavItem | undefined {
  let best: NavItem | undefined;
  for (const section of NAV)
    for (const item of section.items)
      if ((pathname === item.to || pathname.startsWith(`${item.to}/`)) && (!best || item.to.length > best.to.length)) best = item;
  return best;
}
