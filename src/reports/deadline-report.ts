// The overdue-work report: per-agency counts by rule and the overdue items (deadline-rules.ts decides
// what is overdue), as JSON or as a CSV of the items.
import { DEADLINE_RULES, type DeadlineDays, type DeadlineRule, type OverdueItem } from './deadline-rules.ts';
import { toExcelCsv } from './report-csv.ts';

export type RuleCounts = Record<DeadlineRule, number> & { total: number };

export interface AgencyDeadlines {
  agencyCode: string;
  agencyName: string | null;
  counts: RuleCounts;
}

export interface DeadlineReport {
  /** The report's local date (Asia/Ho_Chi_Minh). */
  asOf: string;
  /** Root of the subtree reported on. */
  agencyCode: string;
  /** Working days allowed by each rule. */
  days: DeadlineDays;
  totals: RuleCounts;
  /** Agencies with at least one overdue item, by code. */
  agencies: AgencyDeadlines[];
  /** Number of overdue items; `items` may hold fewer (see `limit`). */
  itemCount: number;
  truncated: boolean;
  items: OverdueItem[];
}

function emptyCounts(): RuleCounts {
  const counts = { total: 0 } as RuleCounts;
  for (const rule of DEADLINE_RULES) counts[rule] = 0;
  return counts;
}

/** Counts every item; lists at most `limit` of them (items come worst first). */
export function buildDeadlineReport(items: readonly OverdueItem[], o: { asOf: string; agencyCode: string; days: DeadlineDays; limit?: number }): DeadlineReport {
  const totals = emptyCounts();
  const byAgency = new Map<string, AgencyDeadlines>();
  for (const item of items) {
    let agency = byAgency.get(item.agencyCode);
    if (!agency) byAgency.set(item.agencyCode, (agency = { agencyCode: item.agencyCode, agencyName: item.agencyName, counts: emptyCounts() }));
    agency.counts[item.rule]++;
    agency.counts.total++;
    totals[item.rule]++;
    totals.total++;
  }
  const limit = o.limit ?? items.length;
  return {
    asOf: o.asOf, agencyCode: o.agencyCode, days: o.days, totals,
    agencies: [...byAgency.values()].sort((a, b) => (a.agencyCode < b.agencyCode ? -1 : a.agencyCode > b.agencyCode ? 1 : 0)),
    itemCount: items.length,
    truncated: items.length > limit,
    items: items.slice(0, limit),
  };
}

export const DEADLINE_CSV_HEADER = [
  'Mã đơn vị', 'Tên đơn vị', 'Quy tắc', 'Mã thay đổi', 'Số định danh', 'Thao tác', 'Trạng thái', 'Từ ngày', 'Hạn', 'Số ngày làm việc quá hạn',
] as const;

/** One row per overdue item, worst first. */
export function deadlineCsv(items: readonly OverdueItem[]): string {
  return toExcelCsv(DEADLINE_CSV_HEADER, items.map((i) => [
    i.agencyCode, i.agencyName, i.rule, i.changeId, i.personalId, i.kind, i.state, i.since, i.deadline, i.workingDaysLate,
  ]));
}
