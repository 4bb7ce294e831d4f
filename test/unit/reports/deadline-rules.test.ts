// The deadline rules, table-driven: weekends, Tết and other holidays, configured HOLIDAYS, and the
// Asia/Ho_Chi_Minh day boundary.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import {
  applicableRules, deadlineCutoffs, deadlinePolicyOf, findOverdue, latestOverdueStart, nextDate, type DeadlinePolicy, type DeadlineRow,
} from '../../../src/reports/deadline-rules.ts';
import { addWorkingDays, startOfLocalDay } from '../../../src/domain/working-days.ts';
import { dateOfDayNumber, dayNumberOfDate } from '../../../src/domain/calendar-date.ts';

const policy = deadlinePolicyOf(loadConfig({}));
const withHoliday = deadlinePolicyOf(loadConfig({ HOLIDAYS: '2026-03-12' }));

/** 10:00 in Vietnam on a local date. */
const at10 = (date: string) => new Date(`${date}T10:00:00+07:00`);

function row(over: Partial<DeadlineRow>): DeadlineRow {
  return {
    id: '00000000-0000-4000-8000-000000000001', personalId: '001090000001', agencyCode: 'H55.06', agencyName: 'Sở Y tế',
    kind: 'CAP_NHAT', state: 'SUBMITTED', source: 'ENTRY', createdAt: at10('2026-03-06'), submittedAt: at10('2026-03-06'),
    provinceApprovedAt: null, ...over,
  };
}

const brief = (p: DeadlinePolicy, r: DeadlineRow, today: string) =>
  findOverdue([r], p, today).map((i) => [i.rule, i.since, i.deadline, i.workingDaysLate]);

describe('deadlinePolicyOf', () => {
  it('reads the DEADLINE_* settings and adds HOLIDAYS to the built-in holidays', () => {
    expect(policy.days).toEqual({ VERIFY: 5, NEW_RECORD: 5, UPDATE: 15, STATUS_CHANGE: 15, TRANSFER: 10, SYNC: 3 });
    const custom = deadlinePolicyOf(loadConfig({ DEADLINE_VERIFY_DAYS: '7', DEADLINE_SYNC_DAYS: '2', HOLIDAYS: '2026-03-12,2026-03-13' }));
    expect(custom.days.VERIFY).toBe(7);
    expect(custom.days.SYNC).toBe(2);
    expect(custom.calendar.holidays.has('2026-03-12')).toBe(true);
    expect(custom.calendar.holidays.has('2026-02-17')).toBe(true); // Tết stays
  });

  it('refuses a bad holiday with CONFIG_INVALID', () => {
    expect(() => deadlinePolicyOf({ ...loadConfig({}), holidays: ['2026-02-30'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('VERIFY: SUBMITTED and not verified within DEADLINE_VERIFY_DAYS (5)', () => {
  const submittedFriday = row({ submittedAt: at10('2026-03-06'), createdAt: at10('2026-03-06') });
  it.each([
    ['on the deadline day itself: not yet overdue', policy, submittedFriday, '2026-03-13', []],
    ['the Saturday after: overdue, 0 working days late', policy, submittedFriday, '2026-03-14', [['VERIFY', '2026-03-06', '2026-03-13', 0]]],
    ['the Monday after: 1 working day late', policy, submittedFriday, '2026-03-16', [['VERIFY', '2026-03-06', '2026-03-13', 1]]],
    ['a configured holiday moves the deadline', withHoliday, submittedFriday, '2026-03-16', []],
    ['…and counts from the new deadline', withHoliday, submittedFriday, '2026-03-17', [['VERIFY', '2026-03-06', '2026-03-16', 1]]],
    ['Tết (16–20/02/2026) does not count', policy, row({ submittedAt: at10('2026-02-12'), createdAt: at10('2026-02-12') }), '2026-02-27',
      [['VERIFY', '2026-02-12', '2026-02-26', 1]]],
    ['00:30 on Friday in Vietnam is Friday, though Thursday in UTC', policy,
      row({ submittedAt: new Date('2026-03-05T17:30:00Z'), createdAt: at10('2026-03-06') }), '2026-03-13', []],
    ['23:59:59 on Thursday in Vietnam is Thursday', policy,
      row({ submittedAt: new Date('2026-03-05T16:59:59Z'), createdAt: at10('2026-03-06') }), '2026-03-13', [['VERIFY', '2026-03-05', '2026-03-12', 1]]],
    ['a VERIFIED change is past this step', policy, row({ state: 'VERIFIED', submittedAt: at10('2026-01-05'), createdAt: at10('2026-03-06') }), '2026-03-16', []],
  ])('%s', (_name, p, r, today, expected) => {
    expect(brief(p, r, today)).toEqual(expected);
  });
});

describe('completion: not PROVINCE_APPROVED within the days of its kind, from createdAt', () => {
  const monday = at10('2026-03-02');
  const open = (over: Partial<DeadlineRow>) => row({ createdAt: monday, submittedAt: null, ...over });
  it.each([
    ['a new record (5)', open({ kind: 'THEM_MOI', state: 'VERIFIED' }), '2026-03-20', [['NEW_RECORD', '2026-03-02', '2026-03-09', 9]]],
    ['an update (15): in time', open({ kind: 'CAP_NHAT', state: 'AGENCY_APPROVED' }), '2026-03-23', []],
    ['an update (15): late', open({ kind: 'CAP_NHAT', state: 'AGENCY_APPROVED' }), '2026-03-24', [['UPDATE', '2026-03-02', '2026-03-23', 1]]],
    ['a status change (15), still a draft', open({ kind: 'CHUYEN_TRANG_THAI', state: 'DRAFT' }), '2026-03-25', [['STATUS_CHANGE', '2026-03-02', '2026-03-23', 2]]],
    ['an inbound transfer (10), whatever its kind', open({ kind: 'CAP_NHAT', state: 'RETURNED', source: 'INBOUND_TRANSFER' }), '2026-03-20',
      [['TRANSFER', '2026-03-02', '2026-03-16', 4]]],
    ['a pulled record (10)', open({ kind: 'THEM_MOI', state: 'VERIFIED', source: 'PULL' }), '2026-03-17', [['TRANSFER', '2026-03-02', '2026-03-16', 1]]],
    ['a transfer in the province (10)', open({ kind: 'CAP_NHAT', state: 'VERIFIED', source: 'TRANSFER' }), '2026-03-16', []],
    ['a reorganisation move is an update', open({ kind: 'CAP_NHAT', state: 'VERIFIED', source: 'REORGANISATION' }), '2026-03-24',
      [['UPDATE', '2026-03-02', '2026-03-23', 1]]],
    ['approved: no longer a completion deadline', open({ kind: 'THEM_MOI', state: 'SYNCED' }), '2026-06-01', []],
  ])('%s', (_name, r, today, expected) => {
    expect(brief(policy, r, today)).toEqual(expected);
  });

  it('reports a submission left unverified for weeks under both rules', () => {
    const r = row({ kind: 'CAP_NHAT', state: 'SUBMITTED', createdAt: at10('2026-02-02'), submittedAt: at10('2026-02-02') });
    expect(brief(policy, r, '2026-03-20')).toEqual([
      ['VERIFY', '2026-02-02', '2026-02-09', 24],
      ['UPDATE', '2026-02-02', '2026-03-02', 14],
    ]);
  });
});

describe('SYNC: approved but not synchronised within DEADLINE_SYNC_DAYS (3; NĐ 27/2026)', () => {
  const approved = (state: DeadlineRow['state']) => row({ state, createdAt: at10('2026-04-01'), submittedAt: at10('2026-04-01'), provinceApprovedAt: at10('2026-04-22') });
  it.each([
    ['PROVINCE_APPROVED, on the deadline (Giỗ Tổ 27/4 is a holiday)', approved('PROVINCE_APPROVED'), '2026-04-28', []],
    ['PROVINCE_APPROVED, a day later', approved('PROVINCE_APPROVED'), '2026-04-29', [['SYNC', '2026-04-22', '2026-04-28', 1]]],
    ['BATCHED, across 30/4–1/5 and a weekend', approved('BATCHED'), '2026-05-04', [['SYNC', '2026-04-22', '2026-04-28', 2]]],
    ['SYNCED', approved('SYNCED'), '2026-05-04', []],
    ['REJECTED_BY_NATIONAL: back with its agency, not waiting for sync', approved('REJECTED_BY_NATIONAL'), '2026-05-04', []],
  ])('%s', (_name, r, today, expected) => {
    expect(brief(policy, r, today)).toEqual(expected);
  });
});

describe('applicableRules', () => {
  it('needs the instant each rule runs from', () => {
    expect(applicableRules(row({ state: 'SUBMITTED', submittedAt: null })).map((r) => r.rule)).toEqual(['UPDATE']);
    expect(applicableRules(row({ state: 'PROVINCE_APPROVED', provinceApprovedAt: null }))).toEqual([]);
  });
});

describe('findOverdue ordering', () => {
  it('puts the latest work first, then agency and change id', () => {
    const rows = [
      row({ id: 'b', agencyCode: 'H55.05', submittedAt: at10('2026-03-02') }),
      row({ id: 'a', agencyCode: 'H55.06', submittedAt: at10('2026-02-02') }),
      row({ id: 'c', agencyCode: 'H55.04', submittedAt: at10('2026-03-02') }),
    ].map((r) => ({ ...r, createdAt: at10('2026-03-10') }));
    expect(findOverdue(rows, policy, '2026-03-20').map((i) => i.changeId)).toEqual(['a', 'c', 'b']);
  });
});

describe('cut-offs for the database', () => {
  it('latestOverdueStart is exactly the last start date that can be overdue', () => {
    const first = dayNumberOfDate('2026-01-01');
    for (const days of [1, 3, 5, 10, 15]) {
      for (let t = first + 20; t < first + 160; t += 3) {
        const today = dateOfDayNumber(t);
        const latest = latestOverdueStart(today, days, policy.calendar);
        expect(addWorkingDays(latest, days, policy.calendar) < today).toBe(true);
        expect(addWorkingDays(nextDate(latest), days, policy.calendar) < today).toBe(false);
      }
    }
  });

  it('turns them into instants at the start of the next Vietnamese day', () => {
    const c = deadlineCutoffs(policy, '2026-03-20');
    expect(c.submittedBefore).toEqual(startOfLocalDay(nextDate(latestOverdueStart('2026-03-20', 5, policy.calendar))));
    expect(c.submittedBefore.toISOString()).toBe('2026-03-12T17:00:00.000Z'); // 13/3 is the 5th working day before 20/3
    expect(c.createdBefore).toEqual(c.submittedBefore); // the shortest completion rule (new record, 5) decides
    expect(c.provinceApprovedBefore.toISOString()).toBe('2026-03-16T17:00:00.000Z');
  });
});
