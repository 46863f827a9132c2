import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import type { Permission } from "../../shared/permissions";
import { ErrorAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Loading } from "../ui/Spinner";
import { EmptyState } from "../ui/EmptyState";
import { Link } from "react-router";
import { useCan } from "./Can";
import { safeNext, useMeQuery, useTeamPath } from "./session";

/** Signed-in routes: wait for /api/me; signed out → log in, then come back here. */
export function RequireAuth() {
  const { data, isPending, error, refetch } = useMeQuery();
  const location = useLocation();
  if (isPending) return <FullPageLoading />;
  if (error)
    return (
      <div className="center-page">
        <ErrorAlert error={error} title="certdesk could not load your account" action={<Button onClick={() => refetch()}>Try again</Button>} />
      </div>
    );
  if (!data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** Log-in and sign-up: someone already signed in goes straight on. */
export function RedirectIfSignedIn({ children }: { children: ReactNode }) {
  const { data, isPending } = useMeQuery();
  const location = useLocation();
  if (isPending) return <FullPageLoading />;
  if (data) return <Navigate to={safeNext(new URLSearchParams(location.search).get("next"))} replace />;
  return <>{children}</>;
}

export function RequirePermission({ anyOf, children }: { anyOf: readonly Permission[]; children: ReactNode }) {
  const allowed = useCan(anyOf, "any");
  const to = useTeamPath();
  if (allowed) return <>{children}</>;
  return (
    <div className="page">
      <EmptyState
        title="You don't have access to this page"
        action={
          <Link className="btn btn-secondary" to={to()}>
            Go to the team overview
          </Link>
        }
      >
        Your roles in this team don't include it. Ask the team's Owner or an Account Admin if you need it.
      </EmptyState>
    </div>
  );
}

export function FullPageLoading() {
  return (
    <div className="center-page">
      <Loading />
    </div>
  );
}
