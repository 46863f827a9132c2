// Which uploads are accepted as validation documents, decided by the file's first bytes only:
// a declared Content-Type or a file name is whatever the client says, the bytes are what a
// validator's viewer will actually open.
export const DOCUMENT_MEDIA_TYPES = ["application/pdf", "image/png", "image/jpeg"] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/** Largest accepted document, in bytes. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const SIGNATURES: readonly { mediaType: DocumentMediaType; magic: Buffer }[] = [
  { mediaType: "application/pdf", magic: Buffer.from("%PDF-", "latin1") },
  { mediaType: "image/png", magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mediaType: "image/jpeg", magic: Buffer.from([0xff, 0xd8, 0xff]) },
];

/** How many leading bytes sniffMediaType needs to decide. */
export const SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.magic.length));

/** The media type the leading bytes prove, or null when they match no accepted type. */
export function sniffMediaType(head: Uint8Array): DocumentMediaType | null {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  for (const { mediaType, magic } of SIGNATURES) {
    if (bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic)) return mediaType;
  }
  return null;
}
