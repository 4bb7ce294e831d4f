// The one normal form of profile data, applied before validating, hashing, signing or storing, so that
// the same content always gives the same bytes (DESIGN rule 1, NATIONAL_API.md §6):
// - every string: Unicode NFC (Vietnamese typed as NFD becomes NFC), CR LF and lone CR become LF (an XML
//   parser does the same, so text survives an XML round trip unchanged), surrounding white space trimmed;
// - "empty optional elements are left out": empty strings, null, undefined, empty arrays and objects that
//   are empty after normalising are dropped, recursively (a required field left empty then shows up as
//   MISSING_FIELD in validation, which is the right diagnosis);
// - numbers and booleans are kept as they are (`false` is a value, not an empty element);
// - unknown keys are kept, so that validation can report them instead of losing data silently.
// Normalising is idempotent. The envelope's agency codes are also rewritten to canonical form.

import { GatewayError } from '../errors.ts';
import { checkAgencyCode } from './agency-code.ts';
import type { ChangeContent, HoSo, SoYeuLyLich } from './profile-schema.ts';

const CR = /\r\n?/g;

/** NFC, line ends as LF, trimmed. */
export function normalizeText(value: string): string {
  let s = value.normalize('NFC');
  if (s.includes('\r')) s = s.replace(CR, '\n');
  return s.trim();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A TT 06/2023 profile is about 4 levels deep. The walk below recurses, so depth is bounded before it
 * goes down a level: a profile nested thousands of levels deep (from an import, the CLI, a pulled
 * record) is refused with INVALID_PROFILE instead of overflowing the stack. The HTTP boundary refuses it
 * earlier still (src/http/input-guard.ts).
 */
export const MAX_PROFILE_DEPTH = 32;

/** Normalises any JSON-like value; returns undefined when nothing is left of it. */
export function normalizeValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return undefined;
  if (depth > MAX_PROFILE_DEPTH && typeof value === 'object') {
    throw new GatewayError('INVALID_PROFILE', { reason: 'TOO_DEEP', maxDepth: MAX_PROFILE_DEPTH });
  }
  if (typeof value === 'string') {
    const s = normalizeText(value);
    return s.length === 0 ? undefined : s;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const n = normalizeValue(item, depth + 1);
      if (n !== undefined) out.push(n);
    }
    return out.length === 0 ? undefined : out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    let kept = 0;
    for (const key of Object.keys(value)) {
      const n = normalizeValue(value[key], depth + 1);
      if (n !== undefined) {
        out[key] = n;
        kept++;
      }
    }
    return kept === 0 ? undefined : out;
  }
  return value; // numbers, booleans, and anything odd that validation will refuse
}

/** Top level: an object always comes back an object (possibly `{}`); anything else as it was. */
function normalizeTop(input: unknown): unknown {
  if (!isPlainObject(input)) return input;
  return normalizeValue(input) ?? {};
}

/** The CV in normal form. The result is typed for convenience; validate it before trusting it. */
export function normalizeProfile(input: unknown): SoYeuLyLich {
  return normalizeTop(input) as SoYeuLyLich;
}

function canonicalCodeOrAsIs(value: unknown): unknown {
  const check = checkAgencyCode(value);
  return check.ok ? check.code : value;
}

function normalizeEnvelope(input: unknown): unknown {
  const out = normalizeTop(input);
  if (!isPlainObject(out)) return out;
  for (const key of ['MaDonViQuanLy', 'MaDonViSuDung'] as const) {
    if (out[key] !== undefined) out[key] = canonicalCodeOrAsIs(out[key]);
  }
  if (Array.isArray(out['PheDuyet'])) {
    for (const level of out['PheDuyet']) {
      if (isPlainObject(level) && level['MaDonVi'] !== undefined) level['MaDonVi'] = canonicalCodeOrAsIs(level['MaDonVi']);
    }
  }
  return out;
}

/** A record in normal form, agency codes in canonical form (QCVN 102:2016 codes converted). */
export function normalizeRecord(input: unknown): HoSo {
  return normalizeEnvelope(input) as HoSo;
}

/** The content of a change (envelope + CV) in normal form, agency codes canonical. */
export function normalizeChangeContent(input: unknown): ChangeContent {
  return normalizeEnvelope(input) as ChangeContent;
}
