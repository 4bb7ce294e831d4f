// The overdue-work report: one row per overdue CHANGE (a change that breaks two rules, e.g. a
// submission unverified for weeks that is also a late update, is one row naming both), per-agency
// counts, as JSON, CSV or XLSX with Vietnamese labels and dd/mm/yyyy dates. deadline-rules.ts decides
// what is overdue.
import { vietnameseDate } from '../domain/calendar-date.ts';
import { CHANGE_STATE_LABELS, THAO_TAC_LABELS, labelOf } from '../domain/vietnamese-labels.ts';
import { DEADLINE_RULE_LABELS, DEADLINE_RULES, type DeadlineDays, type DeadlineRule, type OverdueItem } from './deadline-rules.ts';
import { toExcelCsv } from './report-csv.ts';
import { safeCell, tableWorkbook, type CellValue, type Column } from './workbook.ts';

/** Per rule: changes breaking it; `total`: overdue changes (a change breaking two rules counts once). */
export type RuleCounts = Record<DeadlineRule, number> & { total: number };

export interface AgencyDeadlines {
  agencyCode: string;
  agencyName: string | null;
  counts: RuleCounts;
}

/** One rule a change breaks. */
export interface Breach {
  rule: DeadlineRule;
  since: string;
  deadline: string;
  workingDaysLate: number;
}

/** One overdue change with every rule it breaks, the worst first; its own fields are the worst breach's. */
export interface OverdueChange extends Omit<OverdueItem, 'rule'> {
  rule: DeadlineRule;
  breaches: Breach[];
}

export interface DeadlineReport {
  /** The report's local date (Asia/Ho_Chi_Minh). */
  asOf: string;
  /** Root of the subtree reported on. */
  agencyCode: string;
  /** Working days allowed by each rule. */
  days: DeadlineDays;
  totals: RuleCounts;
  /** Agencies with at least one overdue change, by code. */
  agencies: AgencyDeadlines[];
  /** Number of overdue changes; `items` may hold fewer (see `limit`). */
  itemCount: number;
  truncated: boolean;
  items: OverdueChange[];
}

function emptyCounts(): RuleCounts {
  const counts = { total: 0 } as RuleCounts;
  for (const rule of DEADLINE_RULES) counts[rule] = 0;
  return counts;
}

/** Items (one per rule broken) merged into one per change, keeping findOverdue's order (worst first). */
export function overdueChanges(items: readonly OverdueItem[]): OverdueChange[] {
  const byChange = new Map<string, OverdueChange>();
  for (const { rule, since, deadline, workingDaysLate, ...change } of items) {
    const known = byChange.get(change.changeId);
    if (known) known.breaches.push({ rule, since, deadline, workingDaysLate });
    else byChange.set(change.changeId, { ...change, rule, since, deadline, workingDaysLate, breaches: [{ rule, since, deadline, workingDaysLate }] });
  }
  return [...byChange.values()];
}

/** Counts every change; lists at most `limit` of them (worst first). */
export function buildDeadlineReport(items: readonly OverdueItem[], o: { asOf: string; agencyCode: string; days: DeadlineDays; limit?: number }): DeadlineReport {
  const changes = overdueChanges(items);
  const totals = emptyCounts();
  const byAgency = new Map<string, AgencyDeadlines>();
  for (const change of changes) {
    let agency = byAgency.get(change.agencyCode);
    if (!agency) byAgency.set(change.agencyCode, (agency = { agencyCode: change.agencyCode, agencyName: change.agencyName, counts: emptyCounts() }));
    for (const b of change.breaches) {
      agency.counts[b.rule]++;
      totals[b.rule]++;
    }
    agency.counts.total++;
    totals.total++;
  }
  const limit = o.limit ?? changes.length;
  return {
    asOf: o.asOf, agencyCode: o.agencyCode, days: o.days, totals,
    agencies: [...byAgency.values()].sort((a, b) => (a.agencyCode < b.agencyCode ? -1 : a.agencyCode > b.agencyCode ? 1 : 0)),
    itemCount: changes.length,
    truncated: changes.length > limit,
    items: changes.slice(0, limit),
  };
}

const COLUMNS: readonly Column[] = [
  { header: 'Mã đơn vị', width: 14 }, { header: 'Tên đơn vị', width: 36 }, { header: 'Quy định bị quá hạn', width: 40 },
  { header: 'Mã thay đổi', width: 38 }, { header: 'Số định danh', width: 15 }, { header: 'Thao tác', width: 18 },
  { header: 'Trạng thái', width: 30 }, { header: 'Từ ngày', width: 12 }, { header: 'Hạn', width: 12 }, { header: 'Số ngày làm việc quá hạn', width: 14 },
];

export const DEADLINE_CSV_HEADER = COLUMNS.map((c) => c.header);

/** The rules a change breaks, in words: "Xác minh (quá 8 ngày); Chuyển công tác (quá 3 ngày)". */
function breachText(c: OverdueChange): string {
  return c.breaches.map((b) => `${DEADLINE_RULE_LABELS[b.rule]} (quá ${b.workingDaysLate} ngày làm việc)`).join('; ');
}

function rowOf(c: OverdueChange): CellValue[] {
  return [c.agencyCode, c.agencyName, breachText(c), c.changeId, c.personalId, labelOf(THAO_TAC_LABELS, c.kind),
    labelOf(CHANGE_STATE_LABELS, c.state), vietnameseDate(c.since), vietnameseDate(c.deadline), c.workingDaysLate];
}

/** One row per overdue change, worst first. */
export function deadlineCsv(items: readonly OverdueItem[]): string {
  return toExcelCsv(DEADLINE_CSV_HEADER, overdueChanges(items).map((c) => rowOf(c).map(safeCell)));
}

export async function deadlineWorkbook(items: readonly OverdueItem[], o: { asOf: string; agencyCode: string; agencyName: string | null; created: Date }): Promise<Buffer> {
  const changes = overdueChanges(items);
  return tableWorkbook([{
    name: 'Quá hạn',
    title: [
      'BÁO CÁO HỒ SƠ, THAY ĐỔI QUÁ THỜI HẠN XỬ LÝ',
      `Đơn vị: ${o.agencyName ?? ''} (${o.agencyCode}). Tính đến ngày ${vietnameseDate(o.asOf)}, theo ngày làm việc.`,
      `Số thay đổi quá hạn: ${changes.length}. "Từ ngày", "Hạn" và "Số ngày làm việc quá hạn" là của quy định quá hạn nhiều nhất.`,
    ],
    columns: COLUMNS,
    rows: changes.map(rowOf),
    frozenColumns: 2,
  }], { creator: 'csdl-gateway', created: o.created });
}
