import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, RouterProvider, createBrowserRouter, useLocation, useParams } from "react-router";
import { AccountPage } from "../features/account/AccountPage";
import { ForgotPasswordPage } from "../features/auth/ForgotPasswordPage";
import { LoginPage } from "../features/auth/LoginPage";
import { ResetPasswordPage } from "../features/auth/ResetPasswordPage";
import { SignupPage } from "../features/auth/SignupPage";
import { InvitationLandingPage } from "../features/invitations/InvitationLandingPage";
import { DomainApprovalPage } from "../features/validation/DomainApprovalPage";
import { accountRoutes } from "../features/orders/routes";
import { teamRoutes } from "../features/teams/routes";
import { ToastProvider } from "../ui/Toast";
import { RedirectIfSignedIn, RequireAuth } from "./guards";
import { useMe } from "./session";
import { TeamScope } from "./TeamScope";
import { teamPath } from "./teamPaths";
import { createQueryClient } from "./queryClient";
import { NotFoundPage, RouteError } from "./RouteError";
import { Shell } from "./Shell";

/** Old /team/… addresses (bookmarks, links sent before) open the same page of the active team. */
function ActiveTeamRedirect() {
  const me = useMe();
  const { "*": rest = "" } = useParams();
  const { search, hash } = useLocation();
  const path = rest ? `${teamPath(me.activeTeam.id)}/${rest}` : teamPath(me.activeTeam.id);
  return <Navigate to={`${path}${search}${hash}`} replace />;
}

/** A signed-in address that is no team's page: the shell of the active team around "not found". */
function SignedInNotFound() {
  return (
    <Shell>
      <NotFoundPage />
    </Shell>
  );
}

/**
 * Public pages (auth, e-mailed links) sit outside the shell; everything else needs a session.
 * A team's pages carry the team in the address (/teams/:teamId/…): its own pages, then its
 * certificate account (orders with their validation, documents and certificates; billing).
 */
const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    children: [
      {
        path: "/login",
        element: (
          <RedirectIfSignedIn>
            <LoginPage />
          </RedirectIfSignedIn>
        ),
      },
      {
        path: "/signup",
        element: (
          <RedirectIfSignedIn>
            <SignupPage />
          </RedirectIfSignedIn>
        ),
      },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password/:token", element: <ResetPasswordPage /> },
      { path: "/invitations/:token", element: <InvitationLandingPage /> },
      // The email method's approval link: whoever reads the approver mailbox, signed in or not.
      { path: "/domain-approvals/:token", element: <DomainApprovalPage /> },
      {
        element: <RequireAuth />,
        children: [
          { path: "/", element: <ActiveTeamRedirect /> },
          { path: "/team/*", element: <ActiveTeamRedirect /> },
          // The person's own account: the same in every team, shown in the active team's shell.
          {
            path: "/account",
            element: (
              <Shell>
                <AccountPage />
              </Shell>
            ),
          },
          {
            path: "/teams/:teamId",
            element: <TeamScope />,
            children: [...teamRoutes, ...accountRoutes, { path: "*", element: <NotFoundPage /> }],
          },
          { path: "*", element: <SignedInNotFound /> },
        ],
      },
    ],
  },
]);

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  );
}
