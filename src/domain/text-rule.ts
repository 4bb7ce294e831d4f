// The one rule for text that comes from outside (every free-text field of every route, every JSON key):
// - Unicode NFC (Vietnamese typed on a Mac arrives as NFD; DESIGN rule 1 stores and signs NFC): text is
//   normalised, not refused;
// - no control characters: C0 (U+0000–U+001F) except TAB, LF and CR, DEL, C1 (U+0080–U+009F). PostgreSQL
//   refuses U+0000 in text and jsonb (22021, 22P05), and the others have no business in a personnel record;
// - no lone surrogate (not valid UTF-16, cannot be stored as UTF-8);
// - no bidirectional embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069): they make a
//   name or a reason display differently from what it says ("Trojan Source", CVE-2021-42574). Vietnamese
//   never needs them, so they are refused, not stripped: stripping would change what the person typed
//   without telling them. The marks LRM/RLM (U+200E/F) are harmless and allowed;
// - no noncharacter U+FFFE/U+FFFF;
// - a length limit (TEXT_MAX_LENGTH), except for fields that carry base64 or PEM, whose routes bound them.
// Structure is bounded too (depth, keys per object, items per array), checked without recursion, so a
// body nested 5,000 levels deep is refused before anything recursive (schema validation, normalising,
// hashing) sees it.
import { GatewayError } from '../errors.ts';

export type TextFault = 'CONTROL_CHARACTER' | 'LONE_SURROGATE' | 'BIDI_CONTROL' | 'NONCHARACTER' | 'TOO_LONG';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/u;
const NONCHARACTER = /[\uFFFE\uFFFF]/u;
// In a /u regex a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** What is wrong with `text`, or undefined. Length is counted in UTF-16 code units after NFC. */
export function textFault(text: string, maxLength: number): TextFault | undefined {
  if (LONE_SURROGATE.test(text)) return 'LONE_SURROGATE';
  if (CONTROL.test(text)) return 'CONTROL_CHARACTER';
  if (BIDI.test(text)) return 'BIDI_CONTROL';
  if (NONCHARACTER.test(text)) return 'NONCHARACTER';
  if (text.length > maxLength) return 'TOO_LONG';
  return undefined;
}

/** A path echoed in an answer is cut short (a hostile key may be 100 KB) and made printable. */
function shortPath(path: string): string {
  const printable = path.replace(/[\uD800-\uDFFF\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/gu, '\uFFFD');
  return printable.length > 120 ? `${printable.slice(0, 120)}…` : printable;
}

/** The text in NFC, or TEXT_INVALID naming the field and the fault. */
export function acceptText(text: string, maxLength: number, path = '/'): string {
  const fault = textFault(text, Number.POSITIVE_INFINITY);
  if (fault) throw new GatewayError('TEXT_INVALID', { path: shortPath(path), reason: fault });
  const nfc = text.normalize('NFC');
  if (nfc.length > maxLength) throw new GatewayError('TEXT_INVALID', { path: shortPath(path), reason: 'TOO_LONG', maxLength });
  return nfc;
}

export interface InputLimits {
  /** Deepest nesting of objects and arrays (the top value is depth 0). */
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxItems: number;
  /** Longest string (and object key: KEY_MAX_LENGTH) in UTF-16 code units. */
  readonly maxTextLength: number;
  /** Keys whose string values carry base64 or PEM: characters checked, length left to the route's schema. */
  readonly unboundedKeys?: ReadonlySet<string>;
}

const KEY_MAX_LENGTH = 200;

interface Frame { value: unknown; depth: number; path: string }

/**
 * Checks a parsed JSON value (body, query string, path parameters) against the text rule and the
 * structural limits, and rewrites every string to NFC in place. Iterative: no stack to overflow.
 * INPUT_TOO_COMPLEX or TEXT_INVALID, with the JSON pointer of the first offending place.
 */
export function acceptInput(root: unknown, limits: InputLimits): unknown {
  if (typeof root === 'string') return acceptText(root, limits.maxTextLength);
  const stack: Frame[] = [{ value: root, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limits.maxDepth) throw new GatewayError('INPUT_TOO_COMPLEX', { path: path || '/', limit: 'DEPTH', max: limits.maxDepth });
    if (Array.isArray(value)) {
      if (value.length > limits.maxItems) throw new GatewayError('INPUT_TOO_COMPLEX', { path: path || '/', limit: 'ITEMS', max: limits.maxItems });
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string') value[i] = acceptText(item, limits.maxTextLength, `${path}/${i}`);
        else stack.push({ value: item, depth: depth + 1, path: `${path}/${i}` });
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > limits.maxKeys) throw new GatewayError('INPUT_TOO_COMPLEX', { path: path || '/', limit: 'KEYS', max: limits.maxKeys });
    for (const key of keys) {
      const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      const nfcKey = acceptText(key, KEY_MAX_LENGTH, here);
      const item = record[key];
      const accepted = typeof item === 'string'
        ? acceptText(item, limits.unboundedKeys?.has(key) ? Number.POSITIVE_INFINITY : limits.maxTextLength, here)
        : item;
      if (nfcKey !== key) {
        delete record[key];
        record[nfcKey] = accepted;
      } else if (accepted !== item) record[key] = accepted;
      if (typeof item !== 'string') stack.push({ value: item, depth: depth + 1, path: here });
    }
  }
  return root;
}
