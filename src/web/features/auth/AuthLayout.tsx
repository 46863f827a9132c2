import type { ReactNode } from "react";
import { Link } from "react-router";
import { Logo } from "../../app/Shell";
import { useTitle } from "../../ui/hooks";

export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  useTitle(title);
  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <Link to="/" className="logo-link auth-logo" aria-label="certdesk home">
          <Logo />
        </Link>
        <h1>{title}</h1>
        {subtitle ? <p className="auth-subtitle">{subtitle}</p> : null}
        {children}
        {footer ? <div className="auth-footer">{footer}</div> : null}
      </main>
    </div>
  );
}
