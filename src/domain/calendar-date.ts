// Civil dates ('YYYY-MM-DD'), months ('YYYY-MM') and day numbers (days since 1970-01-01), proleptic
// Gregorian. Integer arithmetic only (no Date objects), because the seed generator and the validator call
// these on every field of hundreds of thousands of records.

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_SHAPE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
export function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number, as [year, month, day] (H. Hinnant's civil_from_days). */
export function civilOf(dayNumber: number): [number, number, number] {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad4(n: number): string {
  return n >= 1000 ? `${n}` : `${n}`.padStart(4, '0');
}

export function formatDate(year: number, month: number, day: number): string {
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

export function formatMonth(year: number, month: number): string {
  return `${pad4(year)}-${pad2(month)}`;
}

export function dateOfDayNumber(dayNumber: number): string {
  const [y, m, d] = civilOf(dayNumber);
  return formatDate(y, m, d);
}

/** [year, month, day] of a real calendar date 'YYYY-MM-DD', or null (wrong shape, 2026-02-30, year 0000). */
export function parseDate(value: string): [number, number, number] | null {
  const m = DATE_SHAPE.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return [year, month, day];
}

/** [year, month] of 'YYYY-MM', or null. */
export function parseMonth(value: string): [number, number] | null {
  const m = MONTH_SHAPE.exec(value);
  if (m === null || Number(m[1]) < 1) return null;
  return [Number(m[1]), Number(m[2])];
}

export function isDate(value: unknown): value is string {
  return typeof value === 'string' && parseDate(value) !== null;
}

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && parseMonth(value) !== null;
}

/** Day number of a real calendar date, or NaN when it is not one. */
export function dayNumberOfDate(value: string): number {
  const p = parseDate(value);
  return p === null ? Number.NaN : dayNumberOf(p[0], p[1], p[2]);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Whole years from `birth` to `on` (both 'YYYY-MM-DD'); a 29 February birthday counts from 1 March. */
export function fullYearsBetween(birth: string, on: string): number {
  const b = parseDate(birth);
  const o = parseDate(on);
  if (b === null || o === null) return Number.NaN;
  let years = o[0] - b[0];
  if (o[1] < b[1] || (o[1] === b[1] && o[2] < b[2])) years -= 1;
  return years;
}

/** The 'YYYY-MM' a date falls in. */
export function monthOfDate(date: string): string {
  return date.slice(0, 7);
}

const OFFSET_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** ISO 8601 date-time with seconds and an offset (`2026-11-28T10:15:00+07:00`, `…Z`), real date and time. */
export function isOffsetDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = OFFSET_DATE_TIME.exec(value);
  if (m === null || !isDate(m[1])) return false;
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) return false;
  return m[5] === undefined || (Number(m[5]) <= 23 && Number(m[6]) <= 59);
}

/** A 'YYYY-MM-DD' date as Vietnamese documents write it: dd/mm/yyyy. */
export function vietnameseDate(date: string): string {
  const civil = parseDate(date);
  if (!civil) throw new RangeError(`not a date: ${date}`);
  const [y, m, d] = civil;
  return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${String(y).padStart(4, '0')}`;
}
