// The building blocks of every API shape: ids, times, names, enums, pages, problems, who acted.
// The schemas in this folder are the one definition of each shape: the server validates requests
// with them, types its handlers and queries by their Static types and publishes them as the
// OpenAPI document; the dashboard imports their types (`import type` only, so no TypeBox ships).
import { Type } from "typebox";
import type { Static, TSchema } from "typebox";
import { PERMISSIONS, ROLES } from "../permissions.js";
import { EMAIL_MAX_LENGTH, ID_PATTERN, NAME_MAX_LENGTH } from "../formats.js";

export const Id = Type.String({ pattern: ID_PATTERN, description: "An opaque id." });
// A shape check only: the grammar is decided in one place, canonicalEmail (server auth/email.ts), whose
// refusals say in plain words what is wrong; a pattern here would answer "must match pattern …".
export const Email = Type.String({
  maxLength: EMAIL_MAX_LENGTH,
  description: "local@domain: no display name, quotes, spaces or invisible characters; international domains are stored as A-labels (xn--…).",
});
// Likewise for names: canonicalName (server auth/names.ts) refuses blank ones and control or bidi characters.
export const Name = Type.String({ maxLength: NAME_MAX_LENGTH, description: "1 to 100 characters, without control, invisible or text-direction characters." });
export const Timestamp = Type.String({ format: "date-time" });
/** One of the given strings. `type` is spelled out so that responses serialize them as plain strings. */
export function StringEnum<const Values extends string[]>(values: readonly [...Values]) {
  const schema = Type.Enum<Values>(values);
  (schema as { type?: string }).type = "string";
  return schema;
}

export const RoleName = StringEnum(ROLES);
export const PermissionName = StringEnum(PERMISSIONS);
export const Roles = Type.Array(RoleName, { minItems: 1, maxItems: ROLES.length, uniqueItems: true });
// Any shape of token gets the documented answer (404 for a link, 410 for a reset), not a schema error.
export const Token = Type.String({ minLength: 1, maxLength: 200 });

export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 });
export const Cursor = Type.String({ minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9_-]+$" });

export const Person = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });

/** Who acted: a user, or a machine (an API key, an ACME account) shown with its creator's e-mail. */
export const ActorRef = Type.Object({
  type: StringEnum(["user", "apiKey", "acmeAccount"]),
  id: Type.String({ description: "The user's id, or the key's or ACME account's" }),
  email: Type.String({ description: "The user's e-mail, or the creator's for a machine actor" }),
});

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: "Problem", description: "RFC 9457 problem details" },
);

export function page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const NoContent = Type.Null({ description: "No content" });

export type PersonDto = Static<typeof Person>;
export type ActorRefDto = Static<typeof ActorRef>;
export type ProblemDto = Static<typeof Problem>;
/** What page(Item) describes, for any item type (a generic Static cannot be spelled). */
export type Page<Item> = { items: Item[]; nextCursor: string | null };
/** The query of every cursor-paginated list. */
export type PageQuery = { limit?: number; cursor?: string | null };
