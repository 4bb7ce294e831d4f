// The 12-digit personal identifier (số định danh cá nhân, Luật Căn cước 2023; NATIONAL_API.md §1):
// digits 1–3 province-of-birth code 001–096, digit 4 century and gender, digits 5–6 the last two digits of
// the birth year, digits 7–12 random. Every failure has its own machine reason so that forms and the
// national rejection list can say exactly what is wrong.

import { GatewayError } from '../errors.ts';
import { parseDate } from './calendar-date.ts';
import type { GioiTinh } from './profile-enums.ts';

export const PERSONAL_ID_LENGTH = 12;

/** Why the identifier itself is malformed (error code INVALID_PERSONAL_ID). */
export type PersonalIdFormatReason = 'NOT_STRING' | 'LENGTH' | 'NOT_DIGITS' | 'PROVINCE_CODE';
/** Why a well-formed identifier disagrees with the date of birth or gender (PERSONAL_ID_MISMATCH). */
export type PersonalIdMismatchReason = 'CENTURY' | 'GENDER' | 'BIRTH_YEAR';
/** Why the date of birth or gender it is compared with is unusable (INVALID_VALUE). */
export type PersonalIdInputReason = 'BIRTH_DATE' | 'GENDER_VALUE';

export type PersonalIdCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'INVALID_PERSONAL_ID'; readonly reason: PersonalIdFormatReason }
  | { readonly ok: false; readonly code: 'PERSONAL_ID_MISMATCH'; readonly reason: PersonalIdMismatchReason }
  | { readonly ok: false; readonly code: 'INVALID_VALUE'; readonly reason: PersonalIdInputReason };

const OK: PersonalIdCheck = { ok: true };
const TWELVE_DIGITS = /^\d{12}$/;
const MIN_PROVINCE = 1;
const MAX_PROVINCE = 96;

/** Digit 4 → first year of the century; the digit's parity is the gender (even NAM, odd NU). */
const CENTURY_START = [1900, 2000, 2100, 2200, 1800] as const;

function fail(code: 'INVALID_PERSONAL_ID', reason: PersonalIdFormatReason): PersonalIdCheck;
function fail(code: 'PERSONAL_ID_MISMATCH', reason: PersonalIdMismatchReason): PersonalIdCheck;
function fail(code: 'INVALID_VALUE', reason: PersonalIdInputReason): PersonalIdCheck;
function fail(code: string, reason: string): PersonalIdCheck {
  return { ok: false, code, reason } as PersonalIdCheck;
}

/** Checks the shape alone: 12 ASCII digits and a province code 001–096. */
export function checkPersonalIdFormat(value: unknown): PersonalIdCheck {
  if (typeof value !== 'string') return fail('INVALID_PERSONAL_ID', 'NOT_STRING');
  if (value.length !== PERSONAL_ID_LENGTH) return fail('INVALID_PERSONAL_ID', 'LENGTH');
  if (!TWELVE_DIGITS.test(value)) return fail('INVALID_PERSONAL_ID', 'NOT_DIGITS');
  const province = Number(value.slice(0, 3));
  if (province < MIN_PROVINCE || province > MAX_PROVINCE) return fail('INVALID_PERSONAL_ID', 'PROVINCE_CODE');
  return OK;
}

export function isPersonalId(value: unknown): value is string {
  return checkPersonalIdFormat(value).ok;
}

export interface DecodedPersonalId {
  readonly provinceCode: string;
  readonly gender: GioiTinh;
  /** First year of the birth century (1800, 1900, 2000, 2100 or 2200). */
  readonly centuryStart: number;
  readonly birthYear: number;
}

/** What digits 1–6 say; throws INVALID_PERSONAL_ID for a malformed identifier. */
export function decodePersonalId(id: string): DecodedPersonalId {
  assertPersonalIdFormat(id);
  const centuryDigit = id.charCodeAt(3) - 48;
  const centuryStart = CENTURY_START[centuryDigit >> 1] as number;
  return {
    provinceCode: id.slice(0, 3),
    gender: centuryDigit % 2 === 0 ? 'NAM' : 'NU',
    centuryStart,
    birthYear: centuryStart + Number(id.slice(4, 6)),
  };
}

/** Checks the format, then that digits 4–6 agree with the date of birth (YYYY-MM-DD) and gender. */
export function checkPersonalIdMatches(id: unknown, birthDate: unknown, gender: unknown): PersonalIdCheck {
  const format = checkPersonalIdFormat(id);
  if (!format.ok) return format;
  const birth = typeof birthDate === 'string' ? parseDate(birthDate) : null;
  if (birth === null) return fail('INVALID_VALUE', 'BIRTH_DATE');
  if (gender !== 'NAM' && gender !== 'NU') return fail('INVALID_VALUE', 'GENDER_VALUE');
  const decoded = decodePersonalId(id as string);
  const year = birth[0];
  if (year < decoded.centuryStart || year >= decoded.centuryStart + 100) return fail('PERSONAL_ID_MISMATCH', 'CENTURY');
  if (decoded.gender !== gender) return fail('PERSONAL_ID_MISMATCH', 'GENDER');
  if (decoded.birthYear !== year) return fail('PERSONAL_ID_MISMATCH', 'BIRTH_YEAR');
  return OK;
}

function throwIfFailed(check: PersonalIdCheck): void {
  if (!check.ok) throw new GatewayError(check.code, { field: 'SoDinhDanh', reason: check.reason });
}

/** Throws GatewayError INVALID_PERSONAL_ID with `{reason}` unless the identifier is well-formed. */
export function assertPersonalIdFormat(value: unknown): asserts value is string {
  throwIfFailed(checkPersonalIdFormat(value));
}

/** Throws INVALID_PERSONAL_ID, PERSONAL_ID_MISMATCH or INVALID_VALUE, each with `{reason}`. */
export function assertPersonalIdMatches(id: unknown, birthDate: unknown, gender: unknown): void {
  throwIfFailed(checkPersonalIdMatches(id, birthDate, gender));
}

/** For logs: keeps the first 3 and last 2 characters (`001*******89`); never throws, whatever it gets. */
export function maskPersonalId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) return '***';
  if (value.length < 8) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 5)}${value.slice(-2)}`;
}

export interface PersonalIdParts {
  /** Province-of-birth code, 1–96 or '001'–'096'. */
  readonly provinceCode: number | string;
  readonly birthDate: string;
  readonly gender: GioiTinh;
  /** Digits 7–12, 0–999999 or six digits. */
  readonly random6: number | string;
}

/** Builds a valid identifier (used by the seed and by tests); throws INVALID_VALUE on unusable parts. */
export function buildPersonalId(parts: PersonalIdParts): string {
  const province = Number(parts.provinceCode);
  if (!Number.isInteger(province) || province < MIN_PROVINCE || province > MAX_PROVINCE) {
    throw new GatewayError('INVALID_VALUE', { field: 'provinceCode', reason: 'PROVINCE_CODE' });
  }
  const birth = parseDate(parts.birthDate);
  if (birth === null) throw new GatewayError('INVALID_VALUE', { field: 'birthDate', reason: 'BIRTH_DATE' });
  const century = CENTURY_START.findIndex((start) => birth[0] >= start && birth[0] < start + 100);
  if (century < 0) throw new GatewayError('INVALID_VALUE', { field: 'birthDate', reason: 'CENTURY' });
  if (parts.gender !== 'NAM' && parts.gender !== 'NU') {
    throw new GatewayError('INVALID_VALUE', { field: 'gender', reason: 'GENDER_VALUE' });
  }
  const random = typeof parts.random6 === 'string' && /^\d{6}$/.test(parts.random6) ? Number(parts.random6) : parts.random6;
  if (typeof random !== 'number' || !Number.isInteger(random) || random < 0 || random > 999_999) {
    throw new GatewayError('INVALID_VALUE', { field: 'random6', reason: 'RANDOM6' });
  }
  const digit4 = century * 2 + (parts.gender === 'NU' ? 1 : 0);
  return `${String(province).padStart(3, '0')}${digit4}${String(birth[0] % 100).padStart(2, '0')}${String(random).padStart(6, '0')}`;
}
