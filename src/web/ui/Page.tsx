import type { ReactNode } from "react";
import { useTitle } from "./hooks";

export function Page({ title, description, actions, children }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  useTitle(title);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{title}</h1>
          {description ? <p className="page-description">{description}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}

export function Card({ title, description, children, actions, tone }: { title?: ReactNode; description?: ReactNode; children?: ReactNode; actions?: ReactNode; tone?: "danger" }) {
  return (
    <section className={["card", tone === "danger" ? "card-danger" : ""].join(" ")}>
      {title || actions ? (
        <div className="card-header">
          <div>
            {title ? <h2 className="card-title">{title}</h2> : null}
            {description ? <p className="card-description">{description}</p> : null}
          </div>
          {actions ? <div className="card-actions">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}
