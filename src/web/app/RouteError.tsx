import { Link, isRouteErrorResponse, useRouteError } from "react-router";
import { Alert } from "../ui/Alert";

export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : "Unknown error";
  return (
    <div className="center-page">
      <div className="auth-card">
        <h1>Something went wrong</h1>
        <Alert tone="error">{message}</Alert>
        <p className="auth-footer">
          <a href="/">Reload the dashboard</a>
        </p>
      </div>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="page">
      <div className="empty">
        <p className="empty-title">Page not found</p>
        <p className="empty-text">The address may be mistyped, or the page moved.</p>
        <div className="empty-action">
          <Link to="/" className="btn btn-primary">
            Go to your team
          </Link>
        </div>
      </div>
    </div>
  );
}
