import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { NavLink, Link, useLocation } from "react-router";
import { Alert } from "../ui/Alert";
import { usePermissions } from "./Can";
import { NAV } from "./nav";
import { useActiveTeam } from "./session";
import { TeamSwitcher } from "./TeamSwitcher";
import type { ShellNotice } from "./TeamScope";
import { teamPath } from "./teamPaths";
import { UserMenu } from "./UserMenu";

export function Logo() {
  return (
    <span className="logo">
      <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5l-8-3Z" fill="currentColor" opacity="0.18" />
        <path d="M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5l-8-3Z" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
        <path d="m8.5 12 2.5 2.5 4.5-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span>certdesk</span>
    </span>
  );
}

/** The sections of the navigation the caller may see in the shown team; a section with nothing visible is left out. */
function NavSections({ onNavigate }: { onNavigate?: () => void }) {
  const can = usePermissions();
  const team = useActiveTeam();
  return (
    <>
      {NAV.map((section) => ({ ...section, items: section.items.filter((item) => !item.anyOf || can(item.anyOf, "any")) }))
        .filter((section) => section.items.length > 0)
        .map((section) => (
          <div key={section.label} className="nav-section">
            <p className="nav-heading">{section.label}</p>
            <ul>
              {section.items.map((item) => (
                <li key={item.to}>
                  <NavLink to={teamPath(team.id, item.to)} end={item.end} onClick={onNavigate} className={({ isActive }) => (isActive ? "nav-link active" : "nav-link")}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
    </>
  );
}

function MenuIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
      <path d="M4 6h16M4 12h16M4 18h16" />
    </svg>
  );
}

/**
 * Small screens: the sidebar is hidden and a Menu button opens the same navigation as a drawer, a
 * native modal <dialog> (focus kept inside, Escape closes, focus returns to the button).
 */
function NavDrawer() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>(".nav-link.active, .nav-link")?.focus();
    }
    if (!open && dialog.open) {
      dialog.close();
      button.current?.focus();
    }
  }, [open]);
  return (
    <>
      <button ref={button} type="button" className="menu-button" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <MenuIcon />
        <span>Menu</span>
      </button>
      <dialog
        ref={ref}
        className="nav-drawer"
        aria-label="Menu"
        onCancel={(event) => {
          event.preventDefault();
          setOpen(false);
        }}
        onMouseDown={(event) => {
          if (event.target === event.currentTarget) setOpen(false);
        }}
      >
        {open ? (
          <div className="nav-drawer-inner">
            <div className="nav-drawer-head">
              <Logo />
              <button type="button" className="icon-button" aria-label="Close menu" onClick={() => setOpen(false)}>
                ×
              </button>
            </div>
            <nav aria-label="Main">
              <NavSections onNavigate={() => setOpen(false)} />
            </nav>
          </div>
        ) : null}
      </dialog>
    </>
  );
}

/** Why the dashboard moved the user to another team, when it was not their doing. */
function MoveNotice() {
  const location = useLocation();
  const notice = (location.state ?? {}) as ShellNotice;
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!notice.noLongerMemberOf || dismissed === location.key) return null;
  const team = notice.noLongerMemberOf;
  return (
    <div className="shell-notice">
      <Alert
        tone="warning"
        title={`You are no longer a member of ${team}`}
        action={
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setDismissed(location.key)}>
            <span>Dismiss</span>
          </button>
        }
      >
        Its Owner or an Account Admin removed you, or the team was deleted. You are now working in your default team.
      </Alert>
    </div>
  );
}

/** The signed-in frame: top bar (team switcher, account), the navigation of the shown team, and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const team = useActiveTeam();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavDrawer />
        <Link to={teamPath(team.id)} className="logo-link" aria-label="certdesk home">
          <Logo />
        </Link>
        <TeamSwitcher />
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <div className="app-body">
        <nav className="sidebar" aria-label="Main">
          <NavSections />
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          <MoveNotice />
          {children}
        </main>
      </div>
    </div>
  );
}
