// Deadlines in working days (DESIGN rule 3, issue "month-end" item 2): which changes are past the time the
// regulations give for their step, as pure computation over rows, a calendar and `today`. No I/O and no
// clock: the store loads the rows (store/deadlines.ts), the caller says what day it is.
//
// Rules, each counted in working days (working-days.ts) from the local date (Asia/Ho_Chi_Minh) of an
// instant, that day itself not counted ("trong thời hạn n ngày làm việc kể từ ngày …"):
//   VERIFY         a change SUBMITTED and not yet verified, from submittedAt            DEADLINE_VERIFY_DAYS
//   NEW_RECORD     a new record (THEM_MOI) not yet PROVINCE_APPROVED, from createdAt    DEADLINE_NEW_RECORD_DAYS
//   UPDATE         an update (CAP_NHAT), likewise                                       DEADLINE_UPDATE_DAYS
//   STATUS_CHANGE  a status change (CHUYEN_TRANG_THAI), likewise                        DEADLINE_STATUS_DAYS
//   TRANSFER       a change whose source is a transfer (TRANSFER, INBOUND_TRANSFER, PULL), whatever its
//                  kind, likewise (it replaces NEW_RECORD/UPDATE/STATUS_CHANGE for that change)  DEADLINE_TRANSFER_DAYS
//   SYNC           approved data not synchronised: PROVINCE_APPROVED or BATCHED, from provinceApprovedAt
//                  (NĐ 27/2026/NĐ-CP)                                                   DEADLINE_SYNC_DAYS
// A change can break two rules at once (a submission unverified for weeks is also a late update): each
// is reported. A change is overdue from the first calendar day after its deadline date; workingDaysLate
// counts the working days in (deadline, today], so it is 0 on a weekend or holiday right after a deadline.
// Only work still open is reported: a change approved late is history, not overdue work.

import type { Config } from '../config.ts';
import { dateOfDayNumber, dayNumberOfDate } from '../domain/calendar-date.ts';
import { addWorkingDays, createWorkCalendar, DEFAULT_HOLIDAYS, DEFAULT_WORKING_WEEKENDS, localDate, startOfLocalDay, workingDaysBetween, type WorkCalendar } from '../domain/working-days.ts';
import type { ChangeState } from '../domain/change-lifecycle.ts';
import type { ThaoTac as ChangeKind } from '../domain/profile-enums.ts';

export const DEADLINE_RULES = ['VERIFY', 'NEW_RECORD', 'UPDATE', 'STATUS_CHANGE', 'TRANSFER', 'SYNC'] as const;
export type DeadlineRule = (typeof DEADLINE_RULES)[number];

/** What an operator reads for each rule. */
export const DEADLINE_RULE_LABELS: Readonly<Record<DeadlineRule, string>> = {
  VERIFY: 'Xác minh, đối chiếu hồ sơ',
  NEW_RECORD: 'Nhập hồ sơ mới',
  UPDATE: 'Cập nhật hồ sơ',
  STATUS_CHANGE: 'Cập nhật trạng thái',
  TRANSFER: 'Chuyển công tác',
  SYNC: 'Đồng bộ lên CSDL quốc gia',
};

/** Working days allowed by each rule (configuration: DEADLINE_*_DAYS). */
export type DeadlineDays = Readonly<Record<DeadlineRule, number>>;

/** How deadlines are counted in this deployment: built once from the configuration. */
export interface DeadlinePolicy {
  readonly days: DeadlineDays;
  readonly calendar: WorkCalendar;
}

/** Sources of changes that are transfers (DESIGN rule 4): within the province, inbound, pulled. */
export const TRANSFER_SOURCES: ReadonlySet<string> = new Set(['TRANSFER', 'INBOUND_TRANSFER', 'PULL']);

/** States of a change still on its way to Sở Nội vụ's approval. */
const PENDING_APPROVAL: ReadonlySet<ChangeState> = new Set(['DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'RETURNED']);
/** States of approved data not yet accepted by the national side. */
const PENDING_SYNC: ReadonlySet<ChangeState> = new Set(['PROVINCE_APPROVED', 'BATCHED']);

const KIND_RULE: Readonly<Record<ChangeKind, DeadlineRule>> = {
  THEM_MOI: 'NEW_RECORD',
  CAP_NHAT: 'UPDATE',
  CHUYEN_TRANG_THAI: 'STATUS_CHANGE',
};

/** The policy of a deployment: DEADLINE_* settings, HOLIDAYS added to the built-in holidays. */
export function deadlinePolicyOf(config: Pick<Config, 'holidays' | 'deadlineVerifyDays' | 'deadlineNewRecordDays' | 'deadlineUpdateDays'
  | 'deadlineStatusDays' | 'deadlineTransferDays' | 'deadlineSyncDays'>): DeadlinePolicy {
  return {
    days: {
      VERIFY: config.deadlineVerifyDays,
      NEW_RECORD: config.deadlineNewRecordDays,
      UPDATE: config.deadlineUpdateDays,
      STATUS_CHANGE: config.deadlineStatusDays,
      TRANSFER: config.deadlineTransferDays,
      SYNC: config.deadlineSyncDays,
    },
    calendar: createWorkCalendar({ holidays: [...DEFAULT_HOLIDAYS, ...config.holidays], workingWeekends: DEFAULT_WORKING_WEEKENDS }),
  };
}

/** What the rules need to know about a change. */
export interface DeadlineRow {
  readonly id: string;
  readonly personalId: string;
  readonly agencyCode: string;
  readonly agencyName?: string | null;
  readonly kind: ChangeKind;
  readonly state: ChangeState;
  readonly source: string;
  readonly createdAt: Date;
  readonly submittedAt: Date | null;
  readonly provinceApprovedAt: Date | null;
}

export interface OverdueItem {
  readonly rule: DeadlineRule;
  readonly changeId: string;
  readonly personalId: string;
  readonly agencyCode: string;
  readonly agencyName: string | null;
  readonly kind: ChangeKind;
  readonly state: ChangeState;
  /** Local date the period started (submission, creation or province approval). */
  readonly since: string;
  /** Last local date within the deadline. */
  readonly deadline: string;
  readonly workingDaysLate: number;
}

/** The deadlines a change is subject to in its current state, with the instant each one runs from. */
export function applicableRules(row: DeadlineRow): Array<{ rule: DeadlineRule; since: Date }> {
  const out: Array<{ rule: DeadlineRule; since: Date }> = [];
  if (row.state === 'SUBMITTED' && row.submittedAt) out.push({ rule: 'VERIFY', since: row.submittedAt });
  if (PENDING_APPROVAL.has(row.state)) out.push({ rule: TRANSFER_SOURCES.has(row.source) ? 'TRANSFER' : KIND_RULE[row.kind], since: row.createdAt });
  if (PENDING_SYNC.has(row.state) && row.provinceApprovedAt) out.push({ rule: 'SYNC', since: row.provinceApprovedAt });
  return out;
}

/**
 * Every overdue item of `rows` on local date `today`, worst first (most working days late, then agency
 * and change id). Deadlines and lateness are memoised per date: rows share a few hundred dates at most.
 */
export function findOverdue(rows: Iterable<DeadlineRow>, policy: DeadlinePolicy, today: string): OverdueItem[] {
  const deadlines = new Map<string, string>();
  const lateness = new Map<string, number>();
  const deadlineOf = (since: string, days: number) => {
    const key = `${since}|${days}`;
    let d = deadlines.get(key);
    if (d === undefined) deadlines.set(key, (d = addWorkingDays(since, days, policy.calendar)));
    return d;
  };
  const lateBy = (deadline: string) => {
    let n = lateness.get(deadline);
    if (n === undefined) lateness.set(deadline, (n = workingDaysBetween(deadline, today, policy.calendar)));
    return n;
  };
  const items: OverdueItem[] = [];
  for (const row of rows) {
    for (const { rule, since } of applicableRules(row)) {
      const sinceDate = localDate(since);
      const deadline = deadlineOf(sinceDate, policy.days[rule]);
      if (deadline >= today) continue; // 'YYYY-MM-DD' strings order like dates
      items.push({ rule, changeId: row.id, personalId: row.personalId, agencyCode: row.agencyCode, agencyName: row.agencyName ?? null,
        kind: row.kind, state: row.state, since: sinceDate, deadline, workingDaysLate: lateBy(deadline) });
    }
  }
  return items.sort((a, b) => b.workingDaysLate - a.workingDaysLate || compare(a.agencyCode, b.agencyCode)
    || compare(a.changeId, b.changeId) || compare(a.rule, b.rule));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The latest local date from which `days` working days have run out before `today`: anything that
 * started after it cannot be overdue. The store uses it to leave such rows in the database.
 */
export function latestOverdueStart(today: string, days: number, calendar: WorkCalendar): string {
  let day = dayNumberOfDate(today) - 1;
  while (addWorkingDays(dateOfDayNumber(day), days, calendar) >= today) day--;
  return dateOfDayNumber(day);
}

/** The day after a local date. */
export function nextDate(date: string): string {
  return dateOfDayNumber(dayNumberOfDate(date) + 1);
}

/** Rows that started at or after these instants cannot be overdue: the store leaves them out. */
export interface DeadlineCutoffs {
  /** Submissions that can break VERIFY started before this. */
  readonly submittedBefore: Date;
  /** Changes that can break NEW_RECORD, UPDATE, STATUS_CHANGE or TRANSFER were created before this. */
  readonly createdBefore: Date;
  /** Approvals that can break SYNC happened before this. */
  readonly provinceApprovedBefore: Date;
}

export function deadlineCutoffs(policy: DeadlinePolicy, today: string): DeadlineCutoffs {
  const { days, calendar } = policy;
  const before = (n: number) => startOfLocalDay(nextDate(latestOverdueStart(today, n, calendar)));
  return {
    submittedBefore: before(days.VERIFY),
    createdBefore: before(Math.min(days.NEW_RECORD, days.UPDATE, days.STATUS_CHANGE, days.TRANSFER)),
    provinceApprovedBefore: before(days.SYNC),
  };
}
