import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  addWorkingDays,
  approvalWindow,
  createWorkCalendar,
  DEFAULT_HOLIDAYS,
  isInApprovalWindow,
  isWorkingDay,
  lastDayOfMonth,
  localDate,
  nextPeriod,
  periodOf,
  startOfLocalDay,
  workingDaysBetween,
} from '../../../src/domain/working-days.ts';
import { isDate, weekdayOf, dayNumberOfDate } from '../../../src/domain/calendar-date.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('localDate / periodOf (UTC+07:00, no DST)', () => {
  it.each([
    ['2026-11-30T16:59:59.999Z', '2026-11-30', '2026-11'],
    ['2026-11-30T17:00:00.000Z', '2026-12-01', '2026-12'],
    ['2026-12-31T17:00:00Z', '2027-01-01', '2027-01'],
    ['2026-06-15T00:00:00Z', '2026-06-15', '2026-06'],
    ['2026-06-14T23:00:00-05:00', '2026-06-15', '2026-06'],
  ])('%s → %s (%s)', (iso, date, period) => {
    expect(localDate(new Date(iso))).toBe(date);
    expect(periodOf(new Date(iso))).toBe(period);
  });

  it('startOfLocalDay is 00:00 +07:00', () => {
    expect(startOfLocalDay('2026-12-01').toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(code(() => startOfLocalDay('2026-02-30'))).toBe('INVALID_VALUE');
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-11-24', true], // Tuesday
    ['2026-11-28', false], // Saturday
    ['2026-11-29', false], // Sunday
    ['2026-01-01', false], // Tết Dương lịch
    ['2026-02-17', false], // mùng 1 Tết Bính Ngọ
    ['2026-02-23', true], // first day back
    ['2026-04-27', false], // compensatory day for Giỗ Tổ on Sunday
    ['2026-04-30', false],
    ['2026-05-01', false],
    ['2026-09-02', false],
    ['2025-04-26', true], // make-up Saturday
    ['2025-05-02', false], // swapped with 26/4
    ['2027-05-03', false], // compensatory day for 1/5 on Saturday
  ])('%s → %s', (date, working) => {
    expect(isWorkingDay(date)).toBe(working);
  });

  it('the default holidays are weekdays and real dates', () => {
    for (const d of DEFAULT_HOLIDAYS) {
      expect(isDate(d)).toBe(true);
      expect([0, 6]).not.toContain(weekdayOf(dayNumberOfDate(d)));
    }
  });

  it('a deployment replaces the holiday list', () => {
    const cal = createWorkCalendar({ holidays: ['2026-11-24'], workingWeekends: ['2026-11-28'] });
    expect(isWorkingDay('2026-11-24', cal)).toBe(false);
    expect(isWorkingDay('2026-11-28', cal)).toBe(true);
    expect(isWorkingDay('2026-01-01', cal)).toBe(true);
  });

  it('refuses a bad configured date (CONFIG_INVALID) and a bad input date (INVALID_VALUE)', () => {
    expect(code(() => createWorkCalendar({ holidays: ['2026-02-30'] }))).toBe('CONFIG_INVALID');
    expect(code(() => createWorkCalendar({ workingWeekends: ['x'] }))).toBe('CONFIG_INVALID');
    expect(code(() => isWorkingDay('2026/11/24'))).toBe('INVALID_VALUE');
  });
});

describe('addWorkingDays / workingDaysBetween', () => {
  it.each([
    ['2026-11-24', 0, '2026-11-24'],
    ['2026-11-28', 0, '2026-11-28'], // n = 0 keeps the date, working or not
    ['2026-11-24', 1, '2026-11-25'],
    ['2026-11-24', 5, '2026-12-01'], // over a weekend
    ['2026-11-27', 1, '2026-11-30'], // Friday → Monday
    ['2026-11-28', 1, '2026-11-30'], // Saturday → Monday
    ['2026-02-13', 1, '2026-02-23'], // Friday before Tết → first day back
    ['2026-04-24', 3, '2026-05-04'], // Fri 24/4; 27/4, 30/4, 1/5 off → 28, 29, 4/5
    ['2025-04-25', 1, '2025-04-26'], // make-up Saturday counts
    ['2026-12-01', -5, '2026-11-24'],
    ['2026-11-30', -1, '2026-11-27'],
  ])('addWorkingDays(%s, %i) = %s', (from, n, to) => {
    expect(addWorkingDays(from, n)).toBe(to);
  });

  it.each([
    ['2026-11-24', '2026-12-01', 5],
    ['2026-12-01', '2026-11-24', -5],
    ['2026-11-24', '2026-11-24', 0],
    ['2026-11-27', '2026-11-29', 0], // (Fri, Sun]
    ['2026-02-13', '2026-02-23', 1],
    ['2026-01-01', '2026-12-31', 250], // 2026: 261 weekdays − 11 weekday holidays (1/1 itself is one)
  ])('workingDaysBetween(%s, %s) = %i', (from, to, n) => {
    expect(workingDaysBetween(from, to)).toBe(n);
  });

  it('is the inverse of addWorkingDays on working days', () => {
    for (const n of [1, 5, 10, 15, 30]) {
      const due = addWorkingDays('2026-01-05', n);
      expect(workingDaysBetween('2026-01-05', due)).toBe(n);
    }
  });

  it('refuses a non-integer n and bad dates', () => {
    expect(code(() => addWorkingDays('2026-11-24', 1.5))).toBe('INVALID_VALUE');
    expect(code(() => addWorkingDays('24/11/2026', 1))).toBe('INVALID_VALUE');
    expect(code(() => workingDaysBetween('2026-11-24', '2026-11-31'))).toBe('INVALID_VALUE');
  });
});

describe('approval window: last 5 calendar days of the month, Vietnam time', () => {
  it.each([
    ['2026-11-25T16:59:59Z', false], // 25/11 23:59:59 local
    ['2026-11-25T17:00:00Z', true], // 26/11 00:00 local (November has 30 days: 26–30)
    ['2026-11-28T03:00:00Z', true], // a Saturday still counts: calendar days
    ['2026-11-30T16:59:59Z', true], // 30/11 23:59:59 local
    ['2026-11-30T17:00:00Z', false], // 1/12 00:00 local
    ['2026-02-23T17:00:00Z', true], // 24/2: February 2026 window is 24–28
    ['2026-02-23T16:59:59Z', false],
    ['2024-02-24T17:00:00Z', true], // 25/2/2024: leap February window is 25–29
    ['2026-12-26T17:00:00Z', true], // 27/12: 31-day month window is 27–31
    ['2026-12-26T16:00:00Z', false],
  ])('%s → %s', (iso, inside) => {
    expect(isInApprovalWindow(new Date(iso))).toBe(inside);
  });

  it.each([
    ['2026-11', '2026-11-25T17:00:00.000Z', '2026-11-30T17:00:00.000Z'],
    ['2026-02', '2026-02-23T17:00:00.000Z', '2026-02-28T17:00:00.000Z'],
    ['2026-12', '2026-12-26T17:00:00.000Z', '2026-12-31T17:00:00.000Z'],
  ])('approvalWindow(%s) = [%s, %s)', (period, opens, closes) => {
    const w = approvalWindow(period);
    expect(w.opensAt.toISOString()).toBe(opens);
    expect(w.closesAt.toISOString()).toBe(closes);
    expect(isInApprovalWindow(w.opensAt)).toBe(true);
    expect(isInApprovalWindow(new Date(w.opensAt.getTime() - 1))).toBe(false);
    expect(isInApprovalWindow(new Date(w.closesAt.getTime() - 1))).toBe(true);
    expect(isInApprovalWindow(w.closesAt)).toBe(false);
  });

  it('window length is a parameter', () => {
    expect(isInApprovalWindow(new Date('2026-11-29T17:00:00Z'), 1)).toBe(true);
    expect(isInApprovalWindow(new Date('2026-11-28T17:00:00Z'), 1)).toBe(false);
  });

  it.each([['2026-11', '2026-11-30'], ['2026-02', '2026-02-28'], ['2024-02', '2024-02-29'], ['2026-12', '2026-12-31']])(
    'lastDayOfMonth(%s) = %s',
    (period, last) => {
      expect(lastDayOfMonth(period)).toBe(last);
    },
  );

  it.each([['2026-11', '2026-12'], ['2026-12', '2027-01']])('nextPeriod(%s) = %s', (p, n) => {
    expect(nextPeriod(p)).toBe(n);
  });

  it.each(['2026-13', '2026-1', '2026-11-01'])('refuses period %s', (p) => {
    expect(code(() => approvalWindow(p))).toBe('INVALID_VALUE');
    expect(code(() => lastDayOfMonth(p))).toBe('INVALID_VALUE');
  });
});
