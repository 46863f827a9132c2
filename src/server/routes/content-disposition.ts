// Content-Disposition for downloads (RFC 6266): always "attachment", so a browser saves the file
// instead of rendering it on our origin; an ASCII fallback name plus the exact UTF-8 name (RFC 8187).

/** RFC 8187 attr-char: encodeURIComponent leaves a few characters that the grammar does not allow. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_") || "download";
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(filename)}`;
}
