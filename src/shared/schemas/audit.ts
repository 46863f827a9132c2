// The audit log's entries, as GET /api/teams/:teamId/audit lists them.
import { Type } from "typebox";
import type { Static } from "typebox";
import { ActorRef, Cursor, Id, Limit, Timestamp } from "./common.js";

export const AuditItem = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Type.Union([ActorRef, Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export type AuditItemDto = Static<typeof AuditItem>;

/** Narrowing the log: one actor (a user's, key's or ACME account's id), an action or a family ("order"), a time range. */
export const AuditFilterQuery = Type.Object(
  {
    actor: Type.Optional(Id),
    action: Type.Optional(
      Type.String({ pattern: "^[a-z_]{1,40}(\\.[a-z_]{1,40})?$", description: 'An action ("order.placed") or every action of a kind ("order")' }),
    ),
    from: Type.Optional(Type.String({ format: "date-time", description: "Entries at or after this time" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "Entries before this time" })),
  },
  { additionalProperties: false },
);
export const AuditListQuery = Type.Object(
  { ...AuditFilterQuery.properties, limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export type AuditFilter = Static<typeof AuditFilterQuery>;
