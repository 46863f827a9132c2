import type { RouteObject } from "react-router";
import { RequirePermission } from "../../app/guards";
import { AcmePage } from "../acme/AcmePage";
import { ApiKeysPage } from "../api-keys/ApiKeysPage";
import { AuditPage } from "../audit/AuditPage";
import { InvitationsPage } from "../invitations/InvitationsPage";
import { MembersPage } from "../members/MembersPage";
import { OverviewPage } from "./OverviewPage";
import { SettingsPage } from "./SettingsPage";

/** Pages of a team, under /teams/:teamId (TeamScope provides the team). */
export const teamRoutes: RouteObject[] = [
  { index: true, element: <OverviewPage /> },
  {
    path: "members",
    element: (
      <RequirePermission anyOf={["team.view"]}>
        <MembersPage />
      </RequirePermission>
    ),
  },
  {
    path: "invitations",
    element: (
      <RequirePermission anyOf={["members.invite"]}>
        <InvitationsPage />
      </RequirePermission>
    ),
  },
  {
    path: "audit",
    element: (
      <RequirePermission anyOf={["audit.view"]}>
        <AuditPage />
      </RequirePermission>
    ),
  },
  {
    path: "api-keys",
    element: (
      <RequirePermission anyOf={["automation.manage"]}>
        <ApiKeysPage />
      </RequirePermission>
    ),
  },
  {
    path: "acme",
    element: (
      <RequirePermission anyOf={["automation.manage"]}>
        <AcmePage />
      </RequirePermission>
    ),
  },
  {
    path: "settings",
    element: (
      <RequirePermission anyOf={["team.update", "team.delete", "team.transfer"]}>
        <SettingsPage />
      </RequirePermission>
    ),
  },
];
