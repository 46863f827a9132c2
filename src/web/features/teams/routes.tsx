import type { RouteObject } from "react-router";
import { RequirePermission } from "../../app/guards";
import { AuditPage } from "../audit/AuditPage";
import { InvitationsPage } from "../invitations/InvitationsPage";
import { MembersPage } from "../members/MembersPage";
import { OverviewPage } from "./OverviewPage";
import { SettingsPage } from "./SettingsPage";

/** Pages of the active team, under the signed-in shell. */
export const teamRoutes: RouteObject[] = [
  { path: "team", element: <OverviewPage /> },
  {
    path: "team/members",
    element: (
      <RequirePermission anyOf={["team.view"]}>
        <MembersPage />
      </RequirePermission>
    ),
  },
  {
    path: "team/invitations",
    element: (
      <RequirePermission anyOf={["members.invite"]}>
        <InvitationsPage />
      </RequirePermission>
    ),
  },
  {
    path: "team/audit",
    element: (
      <RequirePermission anyOf={["audit.view"]}>
        <AuditPage />
      </RequirePermission>
    ),
  },
  {
    path: "team/settings",
    element: (
      <RequirePermission anyOf={["team.update", "team.delete", "team.transfer"]}>
        <SettingsPage />
      </RequirePermission>
    ),
  },
];
