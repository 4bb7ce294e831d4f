// Scalar values on the wire (NATIONAL_API.md §6): XML 1.0 character rules, escaping, and the lexical
// forms of integers and booleans. Dates, months, offset times and decimals are the domain's
// (src/domain/calendar-date.ts, decimal-text.ts). Formatting refuses values it cannot write faithfully;
// parsing returns `undefined` for a form it does not accept, so the caller decides whether that is a
// per-record issue or a broken document.

/** Anything that is not an XML 1.0 `Char` (§2.2): C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF, lone surrogates. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Index of the first character XML 1.0 does not allow, or -1. */
export function invalidXmlCharIndex(text: string): number {
  const m = NOT_XML_CHAR.exec(text);
  return m === null ? -1 : m.index;
}

export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

// CR is written as a character reference: a parser turns a literal CR (and CRLF) into LF (§2.11).
const NEEDS_ESCAPE = /[&<>"'\r]/;
const ESCAPE_ALL = /[&<>"'\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;',
};

/**
 * Escapes text for element content or a double-quoted attribute. The caller has already checked the
 * characters with {@link invalidXmlCharIndex}: escaping cannot make a forbidden character legal.
 */
export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? c) : text;
}

// ── lexical forms ──────────────────────────────────────────────────────────

const INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;

export function parseInteger(text: string): number | undefined {
  return INTEGER.test(text) ? Number(text) : undefined;
}

export function parseBoolean(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

/** `undefined` when the number cannot be written as an integer on the wire. */
export function formatInteger(value: number): string | undefined {
  return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : undefined;
}

export function formatBoolean(value: boolean): string {
  return value ? 'true' : 'false';
}

/** A `Date` as `YYYY-MM-DDThh:mm:ss±hh:mm` in the given offset (default +07:00, Vietnam). */
export function formatDateTime(date: Date, offsetMinutes = 420): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
