import { useId } from "react";
import { ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "./labels";
import type { Role } from "./labels";

export interface RolePickerProps {
  value: Role[];
  onChange: (roles: Role[]) => void;
  legend?: string;
  error?: string;
  disabled?: boolean;
}

/** Checkboxes for the built-in roles, each explained; the caller insists on at least one. */
export function RolePicker({ value, onChange, legend = "Roles", error, disabled }: RolePickerProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const toggle = (role: Role, checked: boolean) => {
    const next = checked ? [...value, role] : value.filter((r) => r !== role);
    onChange(ROLES.filter((r) => next.includes(r)));
  };
  return (
    <fieldset className={["role-picker", error ? "field-invalid" : ""].join(" ")} aria-describedby={error ? errorId : undefined} aria-invalid={error ? true : undefined} disabled={disabled}>
      <legend>{legend}</legend>
      {ROLES.map((role) => (
        <label key={role} className="role-option">
          <input type="checkbox" name="roles" value={role} checked={value.includes(role)} onChange={(e) => toggle(role, e.target.checked)} />
          <span>
            <span className="role-option-name">{ROLE_LABELS[role]}</span>
            <span className="role-option-text">{ROLE_DESCRIPTIONS[role]}</span>
          </span>
        </label>
      ))}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
