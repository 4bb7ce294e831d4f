// What a digitised document says it is must be what its first bytes say it is: HTML sent as image/png
// or application/pdf would otherwise be stored and handed back to the next official who opens it.
// The leading "magic" bytes of each accepted type (PDF 1.7 ISO 32000-1 §7.5.2, PNG RFC 2083 §3.1,
// JPEG/JFIF SOI marker, TIFF 6.0 §2 byte-order header). Office formats are not accepted: a bản số hóa is
// a scan (PDF or image), and DOC/DOCX/XLSX could carry macros or external links into an official's Office.

const SIGNATURES: Record<string, ReadonlyArray<readonly number[]>> = {
  'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/tiff': [[0x49, 0x49, 0x2a, 0x00], [0x4d, 0x4d, 0x00, 0x2a]], // II*\0 little-endian, MM\0* big-endian
};

/** The media types a signature is known for. */
export const signedMediaTypes = Object.keys(SIGNATURES);

/** Do the leading bytes match the declared media type? (false for a type without a known signature) */
export function matchesDeclaredType(mediaType: string, bytes: Uint8Array): boolean {
  const candidates = SIGNATURES[mediaType];
  if (!candidates) return false;
  return candidates.some((magic) => magic.length <= bytes.length && magic.every((b, i) => bytes[i] === b));
}
