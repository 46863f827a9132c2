// Access that is more than one permission, as named predicates the routes declare (the guard runs
// them before the handler, like a plain permission). Commands still re-check what may have changed
// inside their transaction (the Owner, the member row).
import type { Permission } from "../../shared/permissions.js";
import type { AppError } from "../errors.js";
import type { TeamMember } from "./authorize.js";
import { isSelf, refusal } from "./authorize.js";

export interface AccessRule {
  /** Shown in the OpenAPI document and the permission-matrix test. */
  name: string;
  /** The permission a principal needs when the rule's other way in does not apply. */
  permission: Permission;
  refusal(member: TeamMember, params: { userId?: string }): AppError | undefined;
}

/** "Self, or holding the permission": leaving a team is removing yourself, open to every member. */
export function selfOr(permission: Permission): AccessRule {
  return {
    name: `self or ${permission}`,
    permission,
    refusal: (member, params) => (params.userId !== undefined && isSelf(member, params.userId) ? undefined : refusal(member, permission)),
  };
}

export const SELF_OR_MEMBERS_REMOVE = selfOr("members.remove");

