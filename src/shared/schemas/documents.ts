// Validation documents an order's team uploaded (the upload itself is multipart, not a schema).
import { Type } from "typebox";
import type { Static } from "typebox";
import { ActorRef, StringEnum, Timestamp } from "./common.js";

export const DOCUMENT_MEDIA_TYPES = ["application/pdf", "image/png", "image/jpeg"] as const;
export const DocumentMediaType = StringEnum(DOCUMENT_MEDIA_TYPES);

export const Document = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  filename: Type.String(),
  mediaType: DocumentMediaType,
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: ActorRef,
  createdAt: Timestamp,
});

export type DocumentMediaType = Static<typeof DocumentMediaType>;
export type DocumentDto = Static<typeof Document>;
