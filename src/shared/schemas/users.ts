// A person's own account: who they are (/api/me) and the bodies of sign-up, log-in and password reset.
import { Type } from "typebox";
import type { Static } from "typebox";
import { PASSWORD_MAX_LENGTH } from "../formats.js";
import { Email, Id, Name, Timestamp, Token } from "./common.js";
import { TeamSummary } from "./teams.js";

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  teamLimit: Type.Integer(),
  createdAt: Timestamp,
});

export const Me = Type.Object({ user: User, activeTeam: TeamSummary, teams: Type.Array(TeamSummary) });

// The password's rules (length, common passwords …) are checked by sign-up and reset, in words.
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });
// Log-in and reset requests take any address up to the limit: an unknown one gets the usual answer.
const AnyEmail = Type.String({ maxLength: 254 });

export const SignUpBody = Type.Object({ email: Email, password: Password, name: Name }, { additionalProperties: false });
export const LogInBody = Type.Object({ email: AnyEmail, password: Password }, { additionalProperties: false });
export const PasswordResetBody = Type.Object({ email: AnyEmail }, { additionalProperties: false });
export const PasswordResetConfirmBody = Type.Object({ token: Token, password: Password }, { additionalProperties: false });
export const ActiveTeamBody = Type.Object({ teamId: Id }, { additionalProperties: false });

// Account settings (/api/me/…).
export const RenameAccountBody = Type.Object({ name: Name }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
/** One of the person's own sessions; `id` is not a secret and never the token or its hash. */
export const AccountSession = Type.Object({
  id: Type.String(),
  device: Type.String({ description: "The browser and system, in words, from the session's User-Agent" }),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  current: Type.Boolean({ description: "This is the session asking" }),
});
export const AccountSessions = Type.Object({ items: Type.Array(AccountSession) });
export const SessionParams = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const EndedSessions = Type.Object({ ended: Type.Integer({ description: "How many sessions ended" }) });
/** What the dashboard shows of the server's settings. */
export const ServerSettings = Type.Object({ invitationTtlHours: Type.Number() });

export type UserDto = Static<typeof User>;
export type MeDto = Static<typeof Me>;
export type SignUpInput = Static<typeof SignUpBody>;
export type LogInInput = Static<typeof LogInBody>;
export type PasswordResetInput = Static<typeof PasswordResetBody>;
export type PasswordResetConfirmInput = Static<typeof PasswordResetConfirmBody>;
export type ChangePasswordInput = Static<typeof ChangePasswordBody>;
export type AccountSessionDto = Static<typeof AccountSession>;
export type ServerSettingsDto = Static<typeof ServerSettings>;
