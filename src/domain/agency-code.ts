// Agency electronic identifiers (mã định danh điện tử, QĐ 20/2020/QĐ-TTg as amended by QĐ 09/2025/QĐ-TTg;
// NATIONAL_API.md §1). Canonical form: dot-separated groups, level 1 first (`H55.19.05`). The old fixed
// QCVN 102:2016 form (`000.01.19.H55`, level 1 last) is accepted on input and converted.
//
// Group rules chosen here (§1 only fixes the alphabet, the 35-character limit and level 1):
// - level 1 is G, H or K and two digits other than `00`;
// - every later group is 2 or 3 characters of A–Z 0–9: QĐ 20/2020 gives levels 2+ two characters, and a
//   converted QCVN code keeps its 3-digit level-4 group (`001.01.19.H55` → `H55.19.01.001`);
// - a later group may not be all zeros: zeros are the QCVN placeholder for "no such level", never a unit;
// - upper case only: codes are case-sensitive on the wire, so `h55` is refused, not silently upper-cased.

import { GatewayError } from '../errors.ts';

export const AGENCY_CODE_MAX_LENGTH = 35;

export type AgencyCodeReason =
  | 'NOT_STRING'
  | 'EMPTY'
  | 'TOO_LONG'
  | 'LOWERCASE'
  | 'CHARSET'
  | 'EMPTY_GROUP'
  | 'LEVEL1'
  | 'GROUP'
  | 'ZERO_GROUP'
  | 'LEGACY_GAP';

export type AgencyCodeCheck =
  | { readonly ok: true; readonly code: string; readonly legacy: boolean }
  | { readonly ok: false; readonly reason: AgencyCodeReason };

const CHARSET = /^[A-Z0-9.]*$/;
const LEVEL1 = /^[GHK](?!00)\d{2}$/;
const GROUP = /^[A-Z0-9]{2,3}$/;
const ZEROS = /^0+$/;
const LEGACY = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/;

function bad(reason: AgencyCodeReason): AgencyCodeCheck {
  return { ok: false, reason };
}

/** QCVN 102:2016 → canonical: non-zero groups right to left after the level-1 code. */
function fromLegacy(m: RegExpExecArray): AgencyCodeCheck {
  const level1 = m[4] as string;
  if (!LEVEL1.test(level1)) return bad('LEVEL1');
  const groups = [m[3] as string, m[2] as string, m[1] as string];
  const kept: string[] = [level1];
  let ended = false;
  for (const g of groups) {
    if (ZEROS.test(g)) ended = true;
    else if (ended) return bad('LEGACY_GAP'); // a unit under a missing level, e.g. 001.00.19.H55
    else kept.push(g);
  }
  return { ok: true, code: kept.join('.'), legacy: true };
}

/** Checks a code in either form and returns its canonical form, or the reason it is refused. */
export function checkAgencyCode(input: unknown): AgencyCodeCheck {
  if (typeof input !== 'string') return bad('NOT_STRING');
  if (input.length === 0) return bad('EMPTY');
  if (input.length > AGENCY_CODE_MAX_LENGTH) return bad('TOO_LONG');
  if (!CHARSET.test(input)) return bad(CHARSET.test(input.toUpperCase()) ? 'LOWERCASE' : 'CHARSET');
  const legacy = LEGACY.exec(input);
  if (legacy !== null) return fromLegacy(legacy);
  const groups = input.split('.');
  if (groups.some((g) => g.length === 0)) return bad('EMPTY_GROUP');
  if (!LEVEL1.test(groups[0] as string)) return bad('LEVEL1');
  for (let i = 1; i < groups.length; i++) {
    const g = groups[i] as string;
    if (!GROUP.test(g)) return bad('GROUP');
    if (ZEROS.test(g)) return bad('ZERO_GROUP');
  }
  return { ok: true, code: input, legacy: false };
}

/** The canonical form; throws GatewayError INVALID_AGENCY_CODE `{code, reason}` when refused. */
export function canonicalAgencyCode(input: unknown): string {
  const check = checkAgencyCode(input);
  if (!check.ok) throw new GatewayError('INVALID_AGENCY_CODE', { code: input, reason: check.reason });
  return check.code;
}

/** True for a valid code already in canonical form (what the database and the wire carry). */
export function isCanonicalAgencyCode(input: unknown): input is string {
  const check = checkAgencyCode(input);
  return check.ok && !check.legacy;
}

/** Number of levels: `H55` → 1, `H55.19.05` → 3. */
export function agencyLevel(code: string): number {
  return canonicalAgencyCode(code).split('.').length;
}

/** The level-1 code (the province for H/K codes): `H55.19.05` → `H55`. */
export function level1Code(code: string): string {
  const canonical = canonicalAgencyCode(code);
  const dot = canonical.indexOf('.');
  return dot < 0 ? canonical : canonical.slice(0, dot);
}

/** The direct parent, or null for a level-1 code. */
export function parentAgencyCode(code: string): string | null {
  const canonical = canonicalAgencyCode(code);
  const dot = canonical.lastIndexOf('.');
  return dot < 0 ? null : canonical.slice(0, dot);
}

/** Proper ancestors, level 1 first, without the code itself: `H55.19.05` → [`H55`, `H55.19`]. */
export function agencyAncestors(code: string): string[] {
  const groups = canonicalAgencyCode(code).split('.');
  const out: string[] = [];
  for (let i = 1; i < groups.length; i++) out.push(groups.slice(0, i).join('.'));
  return out;
}

/** True when `code` is `root` or lies under it (phân cấp quản lý); both may be in either form. */
export function isWithinSubtree(code: string, root: string): boolean {
  const c = canonicalAgencyCode(code);
  const r = canonicalAgencyCode(root);
  return c === r || (c.length > r.length && c.startsWith(r) && c.charCodeAt(r.length) === 46 /* '.' */);
}

/** A code closed on `closedOn` (from that date on it is no longer active) and who took it over. */
export interface AgencyClosure {
  readonly code: string;
  readonly closedOn: string;
  /** null when the agency was dissolved without a successor. */
  readonly successorCode: string | null;
}

/**
 * The code active on `onDate` for a code that may have been closed and merged, following successors
 * (`H55.19` → `H55.20` → `H55.31`). Dates are 'YYYY-MM-DD' and compare as strings.
 * Throws AGENCY_CLOSED when the chain ends in a dissolution, AGENCY_IMPORT_INVALID on a cycle or on two
 * closures of one code (the closure list is configuration data, so both are data errors).
 */
export function resolveActiveAgencyCode(code: string, closures: Iterable<AgencyClosure>, onDate: string): string {
  const byCode = new Map<string, AgencyClosure>();
  for (const c of closures) {
    const key = canonicalAgencyCode(c.code);
    if (byCode.has(key)) throw new GatewayError('AGENCY_IMPORT_INVALID', { reason: 'DUPLICATE_CLOSURE', code: key });
    byCode.set(key, c);
  }
  let current = canonicalAgencyCode(code);
  const seen = new Set<string>([current]);
  for (;;) {
    const closure = byCode.get(current);
    if (closure === undefined || closure.closedOn > onDate) return current;
    if (closure.successorCode === null) {
      throw new GatewayError('AGENCY_CLOSED', { code: current, closedOn: closure.closedOn });
    }
    current = canonicalAgencyCode(closure.successorCode);
    if (seen.has(current)) {
      throw new GatewayError('AGENCY_IMPORT_INVALID', { reason: 'SUCCESSION_CYCLE', chain: [...seen, current] });
    }
    seen.add(current);
  }
}
