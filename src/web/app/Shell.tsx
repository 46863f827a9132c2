import { NavLink, Outlet, Link } from "react-router";
import { usePermissions } from "./Can";
import { NAV } from "./nav";
import { TeamSwitcher } from "./TeamSwitcher";
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

export function Shell() {
  const can = usePermissions();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/team" className="logo-link" aria-label="certdesk home">
          <Logo />
        </Link>
        <TeamSwitcher />
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <div className="app-body">
        <nav className="sidebar" aria-label="Main">
          {NAV.map((section) => ({ ...section, items: section.items.filter((item) => !item.anyOf || can(item.anyOf, "any")) }))
            .filter((section) => section.items.length > 0)
            .map((section) => (
              <div key={section.label} className="nav-section">
                <p className="nav-heading">{section.label}</p>
                <ul>
                  {section.items.map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to} end={item.end} className={({ isActive }) => (isActive ? "nav-link active" : "nav-link")}>
                        {item.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
