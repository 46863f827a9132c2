import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, RouterProvider, createBrowserRouter } from "react-router";
import { ForgotPasswordPage } from "../features/auth/ForgotPasswordPage";
import { LoginPage } from "../features/auth/LoginPage";
import { ResetPasswordPage } from "../features/auth/ResetPasswordPage";
import { SignupPage } from "../features/auth/SignupPage";
import { InvitationLandingPage } from "../features/invitations/InvitationLandingPage";
import { accountRoutes } from "../features/orders/routes";
import { teamRoutes } from "../features/teams/routes";
import { ToastProvider } from "../ui/Toast";
import { RedirectIfSignedIn, RequireAuth } from "./guards";
import { createQueryClient } from "./queryClient";
import { NotFoundPage, RouteError } from "./RouteError";
import { Shell } from "./Shell";

/**
 * Public pages (auth, e-mailed links) sit outside the shell; everything else needs a
 * session and works on the active team: the team's own pages, then its certificate account
 * (orders with their validation, documents and certificates; billing).
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
      {
        element: <RequireAuth />,
        children: [
          {
            path: "/",
            element: <Shell />,
            children: [{ index: true, element: <Navigate to="/team" replace /> }, ...teamRoutes, ...accountRoutes, { path: "*", element: <NotFoundPage /> }],
          },
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
