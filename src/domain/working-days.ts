// The calendar of the regulations: local dates in Asia/Ho_Chi_Minh, working days for deadlines, and the
// monthly approval window.
//
// - Time zone: Vietnam has used UTC+07:00 all year since 1975, with no daylight saving, so a fixed
//   +07:00 offset is exact for every instant this system handles (no tz database needed).
// - Working days: Monday–Friday, minus public holidays, plus make-up Saturdays (ngày làm bù) the
//   government sometimes swaps in. Both lists are configuration: DEFAULT_HOLIDAYS below is a default for
//   2025–2027 that a deployment replaces when the Prime Minister's yearly schedule is published.
// - Deadlines: addWorkingDays(d, n) is the n-th working day after d (d itself is not counted: "trong
//   thời hạn 05 ngày làm việc kể từ ngày …"); workingDaysBetween(a, b) counts working days in (a, b].
// - Approval window: the LAST 5 CALENDAR DAYS of each month, Vietnam time. QĐ 29/2024/QĐ-UBND Vĩnh Phúc
//   (seed 002) Điều 8 khoản 1: "Trong vòng 05 ngày cuối từng tháng, người có thẩm quyền … phê duyệt";
//   Kon Tum's draft (seed 004) Điều 8 khoản 1 says the same. Both write "ngày", while the same texts say
//   "ngày làm việc" wherever they mean working days (002 Điều 7 khoản 3: "15 ngày làm việc"), so these
//   are calendar days: 27–31 of a 31-day month, 24–28 of February 2026.

import { GatewayError } from '../errors.ts';
import {
  civilOf,
  dateOfDayNumber,
  dayNumberOf,
  dayNumberOfDate,
  daysInMonth,
  formatDate,
  formatMonth,
  isDate,
  parseMonth,
  weekdayOf,
} from './calendar-date.ts';

export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;
const OFFSET_MS = VIETNAM_UTC_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;

/** Days at the end of each month in which agency heads approve (seed 002/004 Điều 8 khoản 1). */
export const APPROVAL_WINDOW_DAYS = 5;

/**
 * Default weekday public holidays (and their compensatory days off) 2025–2027 for state agencies
 * (Bộ luật Lao động 2019 Điều 112): Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng Vương (10/3 âm lịch),
 * 30/4, 1/5, Quốc khánh 2/9 plus an adjacent day; a holiday on a weekend moves to the next working day.
 * Lunar dates were computed for UTC+7. 2025 follows the published schedule (including the 2/5 ↔ 26/4
 * swap); 2026–2027 follow the usual pattern (one day before Tết, the rest after) and must be checked
 * against the Prime Minister's notice for each year before production use.
 */
export const DEFAULT_HOLIDAYS: readonly string[] = [
  // 2025
  '2025-01-01',
  '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', // Tết Ất Tỵ (mùng 1 = 29/1)
  '2025-04-07', // Giỗ Tổ
  '2025-04-30', '2025-05-01', '2025-05-02', // 2/5 swapped with Saturday 26/4
  '2025-09-01', '2025-09-02',
  // 2026
  '2026-01-01',
  '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', // Tết Bính Ngọ (mùng 1 = 17/2)
  '2026-04-27', // Giỗ Tổ falls on Sunday 26/4: compensatory Monday
  '2026-04-30', '2026-05-01',
  '2026-09-01', '2026-09-02',
  // 2027
  '2027-01-01',
  '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', // Tết Đinh Mùi (mùng 1 = Sat 6/2)
  '2027-04-16', // Giỗ Tổ
  '2027-04-30', '2027-05-03', // 1/5 is a Saturday: compensatory Monday
  '2027-09-02', '2027-09-03',
];

/** Default make-up Saturdays (worked to bridge a holiday). */
export const DEFAULT_WORKING_WEEKENDS: readonly string[] = ['2025-04-26'];

/** A working-day calendar: plain data, built once from configuration. */
export interface WorkCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workingWeekends: ReadonlySet<string>;
}

function dateSet(values: Iterable<string>, field: string): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    if (!isDate(v)) throw new GatewayError('CONFIG_INVALID', { field, value: v, reason: 'NOT_A_DATE' });
    out.add(v);
  }
  return out;
}

/** Builds a calendar; throws CONFIG_INVALID on a date that is not 'YYYY-MM-DD'. */
export function createWorkCalendar(options: { holidays?: Iterable<string>; workingWeekends?: Iterable<string> } = {}): WorkCalendar {
  return {
    holidays: dateSet(options.holidays ?? DEFAULT_HOLIDAYS, 'holidays'),
    workingWeekends: dateSet(options.workingWeekends ?? DEFAULT_WORKING_WEEKENDS, 'workingWeekends'),
  };
}

export const DEFAULT_CALENDAR: WorkCalendar = createWorkCalendar();

function dayOf(date: string, field: string): number {
  const n = dayNumberOfDate(date);
  if (Number.isNaN(n)) throw new GatewayError('INVALID_VALUE', { field, value: date, reason: 'NOT_A_DATE' });
  return n;
}

function workingDayNumber(day: number, calendar: WorkCalendar): boolean {
  const weekday = weekdayOf(day);
  const date = dateOfDayNumber(day);
  if (weekday === 0 || weekday === 6) return calendar.workingWeekends.has(date);
  return !calendar.holidays.has(date);
}

/** The local date 'YYYY-MM-DD' of an instant in Vietnam (UTC+07:00). */
export function localDate(instant: Date): string {
  return dateOfDayNumber(Math.floor((instant.getTime() + OFFSET_MS) / DAY_MS));
}

/** The instant a local date begins in Vietnam (00:00 +07:00). */
export function startOfLocalDay(date: string): Date {
  return new Date(dayOf(date, 'date') * DAY_MS - OFFSET_MS);
}

export function isWorkingDay(date: string, calendar: WorkCalendar = DEFAULT_CALENDAR): boolean {
  return workingDayNumber(dayOf(date, 'date'), calendar);
}

/** The n-th working day after `date` (n < 0: before it); n = 0 gives `date` itself. */
export function addWorkingDays(date: string, n: number, calendar: WorkCalendar = DEFAULT_CALENDAR): string {
  if (!Number.isInteger(n)) throw new GatewayError('INVALID_VALUE', { field: 'n', value: n, reason: 'NOT_INTEGER' });
  let day = dayOf(date, 'date');
  const direction = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    day += direction;
    if (workingDayNumber(day, calendar)) left--;
  }
  return dateOfDayNumber(day);
}

/** Working days d with from < d ≤ to; negative (the same count, signed) when to < from. */
export function workingDaysBetween(from: string, to: string, calendar: WorkCalendar = DEFAULT_CALENDAR): number {
  const a = dayOf(from, 'from');
  const b = dayOf(to, 'to');
  if (b < a) return -workingDaysBetween(to, from, calendar);
  let count = 0;
  for (let day = a + 1; day <= b; day++) if (workingDayNumber(day, calendar)) count++;
  return count;
}

/** The approval month 'YYYY-MM' an instant belongs to, in Vietnam time. */
export function periodOf(instant: Date): string {
  return localDate(instant).slice(0, 7);
}

function periodParts(period: string): [number, number] {
  const p = parseMonth(period);
  if (p === null) throw new GatewayError('INVALID_VALUE', { field: 'period', value: period, reason: 'NOT_A_MONTH' });
  return p;
}

/** The last date 'YYYY-MM-DD' of a month given as 'YYYY-MM'. */
export function lastDayOfMonth(period: string): string {
  const [y, m] = periodParts(period);
  return formatDate(y, m, daysInMonth(y, m));
}

/** The approval window of a month: [opensAt, closesAt) — 00:00 of day (last − 4) to 00:00 of the next month, +07:00. */
export function approvalWindow(period: string, days: number = APPROVAL_WINDOW_DAYS): { opensAt: Date; closesAt: Date } {
  const [y, m] = periodParts(period);
  const last = dayNumberOf(y, m, daysInMonth(y, m));
  return {
    opensAt: new Date((last - days + 1) * DAY_MS - OFFSET_MS),
    closesAt: new Date((last + 1) * DAY_MS - OFFSET_MS),
  };
}

/** True during the last `days` calendar days of the month, Vietnam time. */
export function isInApprovalWindow(instant: Date, days: number = APPROVAL_WINDOW_DAYS): boolean {
  const [y, m, d] = civilOf(Math.floor((instant.getTime() + OFFSET_MS) / DAY_MS));
  return d > daysInMonth(y, m) - days;
}

/** The next month 'YYYY-MM' after `period`. */
export function nextPeriod(period: string): string {
  const [y, m] = periodParts(period);
  return m === 12 ? formatMonth(y + 1, 1) : formatMonth(y, m + 1);
}
