import { Badge } from "../../ui/Badge";
import { ROLE_DESCRIPTIONS, roleLabel } from "./labels";
import type { Role } from "./labels";

export function OwnerBadge() {
  return (
    <Badge tone="owner" title="Holds every permission in this team">
      Owner
    </Badge>
  );
}

export function RoleChips({ roles, isOwner = false }: { roles: readonly Role[]; isOwner?: boolean }) {
  if (isOwner) return <OwnerBadge />;
  if (!roles.length) return <span className="muted">No roles</span>;
  return (
    <span className="chips">
      {roles.map((role) => (
        <Badge key={role} tone="blue" title={ROLE_DESCRIPTIONS[role]}>
          {roleLabel(role)}
        </Badge>
      ))}
    </span>
  );
}
