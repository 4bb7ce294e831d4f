// The scheduled work of the month (issue "month-end", item 1), as pure-ish handlers that take `now`:
//   - approval reminders: when the last-5-days window opens, every agency with VERIFIED changes
//     waiting for its head's signature is reminded (an audit row and a log event per agency);
//   - month-end sync: on the last day of the month, at or after the configured hour, the batches of
//     everything PROVINCE_APPROVED are built and signed (workers push them);
//   - reconciliation: batches whose last push got no answer are looked up on the national side and
//     settled from its receipt;
//   - audit checkpoint: the head of the audit chain signed daily (src/services/audit-checkpoints.ts), so
//     that at most a day of rows is vouched for by nothing.
// BullMQ fires each one daily (jobs/scheduler.ts); the handler decides whether today is the day, so a
// missed or repeated firing is harmless and tests drive them with an explicit clock, not a sleep.
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { appendAuditNow } from '../store/audit-log.ts';
import { pendingApprovalsByAgency } from '../store/approvals.ts';
import { getBatch, recordReceipt, unresolvedBatches } from '../store/batches.ts';
import { approvalWindow, lastDayOfMonth, localDate, periodOf } from '../domain/working-days.ts';
import { buildBatches, type BatchBuilderOptions, type BuildResult } from './batch-builder.ts';
import { checkpointDeps, createCheckpoint } from '../services/audit-checkpoints.ts';
import type { NationalClient } from '../exchange/national-client.ts';

export const SCHEDULES = ['approval-reminders', 'month-end-sync', 'reconciliation', 'audit-checkpoint'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface ScheduleDeps {
  db: Db;
  logger: Logger;
  client: NationalClient;
  builder: Omit<BatchBuilderOptions, 'db' | 'logger'> | null;
  /** Local hour (Asia/Ho_Chi_Minh) from which the month-end sync runs on the last day. */
  monthEndHour: number;
}

export type ScheduleResult =
  | { ran: false; reason: string }
  | { ran: true; reminders?: Array<{ agencyCode: string; pending: number }>; built?: BuildResult; settled?: string[]; checkpointSeq?: string };

const vnHour = (now: Date) => new Date(now.getTime() + 7 * 3_600_000).getUTCHours();

export async function runSchedule(name: ScheduleName, deps: ScheduleDeps, now: Date, options: { force?: boolean } = {}): Promise<ScheduleResult> {
  switch (name) {
    case 'approval-reminders': return approvalReminders(deps, now, options.force ?? false);
    case 'month-end-sync': return monthEndSync(deps, now, options.force ?? false);
    case 'reconciliation': return reconcile(deps);
    case 'audit-checkpoint': return dailyCheckpoint(deps, now);
  }
}

async function approvalReminders(deps: ScheduleDeps, now: Date, force: boolean): Promise<ScheduleResult> {
  const period = periodOf(now);
  const opens = localDate(approvalWindow(period).opensAt);
  if (!force && localDate(now) !== opens) return { ran: false, reason: `the approval window opens on ${opens}` };
  const reminders = await pendingApprovalsByAgency(deps.db);
  for (const r of reminders) {
    await appendAuditNow(deps.db, { actor: 'scheduler', action: 'APPROVAL_REMINDER', entityType: 'agency', entityId: r.agencyCode,
      agencyCode: r.agencyCode, details: { period, pending: r.pending } });
    deps.logger.info({ event: 'APPROVAL_REMINDER', agencyCode: r.agencyCode, pending: r.pending, period }, 'approval window open: changes wait for the head');
  }
  return { ran: true, reminders };
}

async function monthEndSync(deps: ScheduleDeps, now: Date, force: boolean): Promise<ScheduleResult> {
  const period = periodOf(now);
  const today = localDate(now);
  if (!force && (today !== lastDayOfMonth(period) || vnHour(now) < deps.monthEndHour)) {
    return { ran: false, reason: `the month-end sync runs on ${lastDayOfMonth(period)} from ${deps.monthEndHour}:00` };
  }
  if (!deps.builder) return { ran: false, reason: 'no organisation signer configured (SIGNER_P12_FILE)' };
  // Everything approved, this month's and any left over: nothing approved waits for next month.
  const built = await buildBatches(null, { ...deps.builder, db: deps.db, logger: deps.logger });
  deps.logger.info({ event: 'MONTH_END_SYNC', period, batches: built.batches.length, refused: built.refused.length }, 'month-end batches built');
  return { ran: true, built };
}

async function reconcile(deps: ScheduleDeps): Promise<ScheduleResult> {
  const settled: string[] = [];
  for (const batchId of await unresolvedBatches(deps.db)) {
    const found = await deps.client.getBatch(batchId);
    if (found.kind !== 'success' && found.kind !== 'replayed') continue; // not there: the outbox resends it
    const batch = await getBatch(deps.db, batchId);
    if (!batch || batch.state === 'ACCEPTED' || batch.state === 'PARTIAL') continue;
    const r = found.value;
    await recordReceipt(deps.db, batchId, { receiptId: r.receiptId, status: r.status, receivedAt: r.receivedAt, rejected: r.rejected, raw: r, replayed: true });
    settled.push(batchId);
  }
  if (settled.length) deps.logger.info({ event: 'RECONCILED', settled }, 'batches settled from the national side');
  return { ran: true, settled };
}

async function dailyCheckpoint(deps: ScheduleDeps, now: Date): Promise<ScheduleResult> {
  const b = deps.builder;
  const checkpoints = b && checkpointDeps(deps.db, { orgSigner: b.signer, ...(b.tsaUrl ? { tsaUrl: b.tsaUrl } : {}) }, b.checkpointDir ?? '', { now: () => now }, deps.logger);
  if (!checkpoints) return { ran: false, reason: 'no organisation signer configured (SIGNER_P12_FILE)' };
  const checkpoint = await createCheckpoint(checkpoints, 'DAILY');
  deps.logger.info({ event: 'AUDIT_CHECKPOINT', seq: checkpoint.seq.toString() }, 'audit chain head signed');
  return { ran: true, checkpointSeq: checkpoint.seq.toString() };
}
