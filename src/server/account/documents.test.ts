// Unit checks of the document rules: type by magic bytes, the stored file name, the download header.
import { describe, expect, it } from "vitest";
import { attachmentDisposition } from "../routes/content-disposition.js";
import { sanitizeFilename } from "./document-files.js";
import { sniffMediaType } from "./document-types.js";

describe("sniffMediaType", () => {
  it("knows PDF, PNG and JPEG by their signatures and nothing else", () => {
    expect(sniffMediaType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
    expect(sniffMediaType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe("image/png");
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffMediaType(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toBeNull(); // ELF
    expect(sniffMediaType(Buffer.from("MZ\x90\x00", "latin1"))).toBeNull();
    expect(sniffMediaType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull(); // a PNG signature cut short
    expect(sniffMediaType(Buffer.from(" %PDF-"))).toBeNull(); // not at the start
    expect(sniffMediaType(Buffer.alloc(0))).toBeNull();
  });
});

describe("sanitizeFilename", () => {
  it("keeps the last path segment without control or format characters, at most 200 characters", () => {
    expect(sanitizeFilename("a/b\\c.pdf")).toBe("c.pdf");
    expect(sanitizeFilename("in\r\nvoice\u202Efdp.exe")).toBe("invoicefdp.exe");
    expect(sanitizeFilename(undefined)).toBe("document");
    expect(sanitizeFilename("...")).toBe("document");
    expect(Array.from(sanitizeFilename("😀".repeat(300)))).toHaveLength(200); // counted in characters, never split
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact name in RFC 8187 form", () => {
    expect(attachmentDisposition("plain.pdf")).toBe(`attachment; filename="plain.pdf"; filename*=UTF-8''plain.pdf`);
    expect(attachmentDisposition('a "quoted" \\ name%.pdf')).toBe(
      `attachment; filename="a _quoted_ _ name_.pdf"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name%25.pdf`,
    );
    expect(attachmentDisposition("it's (1)*.pdf")).toBe(`attachment; filename="it's (1)*.pdf"; filename*=UTF-8''it%27s%20%281%29%2A.pdf`);
  });
});
