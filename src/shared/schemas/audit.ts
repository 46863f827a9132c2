// The audit log's entries, as GET /api/teams/:teamId/audit lists them.
import { Type } from "typebox";
import type { Static } from "typebox";
import { ActorRef, Timestamp } from "./common.js";

export const AuditItem = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Type.Union([ActorRef, Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export type AuditItemDto = Static<typeof AuditItem>;
