import { describe, expect, it } from 'vitest';
import {
  civilOf,
  dateOfDayNumber,
  dayNumberOf,
  dayNumberOfDate,
  daysInMonth,
  fullYearsBetween,
  isDate,
  isLeapYear,
  isMonth,
  isOffsetDateTime,
  parseDate,
  parseMonth,
  weekdayOf,
} from '../../../src/domain/calendar-date.ts';

describe('day numbers', () => {
  it.each([
    ['1970-01-01', 0, 4],
    ['2000-02-29', 11016, 2],
    ['2026-11-24', 20781, 2],
    ['1899-12-31', -25568, 0],
    ['0001-01-01', -719162, 1],
  ])('%s is day %i (weekday %i)', (date, n, weekday) => {
    expect(dayNumberOfDate(date)).toBe(n);
    expect(dateOfDayNumber(n)).toBe(date);
    expect(weekdayOf(n)).toBe(weekday);
  });

  it('round-trips every day from 1800 to 2300 and agrees with Date', () => {
    const wrong: number[] = [];
    for (let n = dayNumberOf(1800, 1, 1); n <= dayNumberOf(2300, 1, 1); n += 1) {
      const [y, m, d] = civilOf(n);
      if (dayNumberOf(y, m, d) !== n) wrong.push(n);
      if (n % 97 === 0 && new Date(n * 86_400_000).toISOString().slice(0, 10) !== dateOfDayNumber(n)) wrong.push(n);
    }
    expect(wrong).toEqual([]);
  });
});

describe('parseDate / isDate', () => {
  it.each(['2024-02-29', '2000-02-29', '1999-12-31', '0001-01-01', '9999-12-31'])('%s is a date', (d) => {
    expect(isDate(d)).toBe(true);
  });
  it.each(['2023-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '2026-1-01', '26-01-01', '2026-01-01T00:00:00Z', ' 2026-01-01', ''])(
    '%j is not a date',
    (d) => {
      expect(parseDate(d)).toBeNull();
      expect(isDate(d)).toBe(false);
    },
  );
  it('isDate refuses non-strings', () => {
    expect(isDate(20260101)).toBe(false);
  });
});

describe('parseMonth / isMonth', () => {
  it.each([['2026-11', [2026, 11]], ['1990-01', [1990, 1]]] as const)('%s', (m, parts) => {
    expect(parseMonth(m)).toEqual(parts);
    expect(isMonth(m)).toBe(true);
  });
  it.each(['2026-13', '2026-00', '2026-1', '0000-01', '2026-11-01', 202611])('%j is not a month', (m) => {
    expect(isMonth(m)).toBe(false);
  });
});

describe('isOffsetDateTime', () => {
  it.each(['2026-11-28T10:15:00+07:00', '2026-11-28T10:15:00Z', '2026-11-28T23:59:59.123-05:30'])('%s', (v) => {
    expect(isOffsetDateTime(v)).toBe(true);
  });
  it.each(['2026-11-28T10:15:00', '2026-11-28 10:15:00+07:00', '2026-02-30T10:15:00Z', '2026-11-28T24:00:00Z', '2026-11-28T10:60:00Z', '2026-11-28T10:15:00+24:00', 5])(
    '%j is refused',
    (v) => {
      expect(isOffsetDateTime(v)).toBe(false);
    },
  );
});

describe('leap years, month lengths, ages', () => {
  it.each([[2024, true], [2000, true], [1900, false], [2026, false]] as const)('isLeapYear(%i) = %s', (y, leap) => {
    expect(isLeapYear(y)).toBe(leap);
  });
  it.each([[2026, 2, 28], [2024, 2, 29], [2026, 4, 30], [2026, 12, 31]] as const)('%i-%i has %i days', (y, m, n) => {
    expect(daysInMonth(y, m)).toBe(n);
  });
  it.each([
    ['1990-05-01', '2026-04-30', 35],
    ['1990-05-01', '2026-05-01', 36],
    ['2004-02-29', '2022-02-28', 17],
    ['2004-02-29', '2022-03-01', 18],
    ['1990-05-01', 'nope', Number.NaN],
  ])('fullYearsBetween(%s, %s) = %d', (birth, on, years) => {
    expect(fullYearsBetween(birth, on)).toBe(years);
  });
});
