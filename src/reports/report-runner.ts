// Runs a report end to end for the HTTP routes and the command line: the pure rules decide what to load,
// the store loads it, the pure rules and shapers make the report. Scope is the caller's business.
import type { Db } from '../store/db.ts';
import { loadDeadlineCandidates } from '../store/deadlines.ts';
import { headcountRows } from '../store/reports.ts';
import { deadlineCutoffs, findOverdue, type DeadlinePolicy, type OverdueItem } from './deadline-rules.ts';
import { buildDeadlineReport, type DeadlineReport } from './deadline-report.ts';
import { buildHeadcountReport, type HeadcountReport } from './headcount-report.ts';

/** Every overdue item of `agencyCode`'s subtree on local date `asOf`, worst first. */
export async function overdueItems(db: Db, policy: DeadlinePolicy, agencyCode: string, asOf: string): Promise<OverdueItem[]> {
  const rows = await loadDeadlineCandidates(db, agencyCode, deadlineCutoffs(policy, asOf));
  return findOverdue(rows, policy, asOf);
}

export async function deadlineReport(db: Db, policy: DeadlinePolicy, o: { agencyCode: string; asOf: string; limit?: number }): Promise<DeadlineReport> {
  const items = await overdueItems(db, policy, o.agencyCode, o.asOf);
  return buildDeadlineReport(items, { asOf: o.asOf, agencyCode: o.agencyCode, days: policy.days, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
}

export async function headcountReport(db: Db, agencyCode: string, now: Date = db.clock.now()): Promise<HeadcountReport> {
  return buildHeadcountReport(await headcountRows(db, agencyCode), { agencyCode, generatedAt: now });
}
