import { Link } from "react-router";
import { Dropdown } from "../ui/Dropdown";
import { Spinner } from "../ui/Spinner";
import { useLogout, useMe } from "./session";

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts[parts.length - 1]![0]}` : (parts[0]?.slice(0, 2) ?? "?");
  return letters.toUpperCase();
}

export function UserMenu() {
  const { user } = useMe();
  const logout = useLogout();
  return (
    <Dropdown
      align="end"
      triggerClassName="user-button"
      triggerLabel={`Account menu for ${user.name}`}
      trigger={
        <>
          <span className="avatar" aria-hidden="true" data-initials={initials(user.name)} />
          <span className="user-button-name">{user.name}</span>
          <span className="caret" aria-hidden="true">▾</span>
        </>
      }
    >
      {(close) => (
        <div className="user-panel">
          <div className="user-panel-head">
            <p className="strong">{user.name}</p>
            <p className="muted small">{user.email}</p>
          </div>
          <Link to="/account" className="menu-item" onClick={() => close()}>
            Account settings
          </Link>
          <button type="button" className="menu-item" onClick={() => logout.mutate()} disabled={logout.isPending}>
            {logout.isPending ? <Spinner size={14} /> : null}
            Log out
          </button>
        </div>
      )}
    </Dropdown>
  );
}
