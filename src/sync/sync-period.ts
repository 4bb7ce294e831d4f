// Builds the batches of a period and delivers every pending batch without a queue: the CLI's
// `csdl-gateway sync` and the demo use it; workers do the same through BullMQ. Both paths share
// pushBatchOnce and the one retry policy, so their guarantees are the same.
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { batchRecords, getBatch, PUSH_TOPIC } from '../store/batches.ts';
import { pendingOutbox } from '../store/outbox.ts';
import { buildBatches, type BatchBuilderOptions, type BuildResult } from './batch-builder.ts';
import { pushBatchOnce, type PushDeps } from './push-batch.ts';
import { decideRetry } from '../exchange/retry-policy.ts';
import type { NationalClient } from '../exchange/national-client.ts';

export interface SyncOptions {
  db: Db;
  client: NationalClient;
  logger: Logger;
  builder: Omit<BatchBuilderOptions, 'db' | 'logger'>;
  leaseMs: number;
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (line: string) => void;
  /** Structured progress for a progress bar: the number of batches to push, then each one settled. */
  onBatches?: (total: number) => void;
  onBatchSettled?: (batchId: string, state: string) => void;
}

export interface SyncSummary {
  built: BuildResult['batches'];
  refused: BuildResult['refused'];
  batches: { accepted: number; partial: number; failed: number };
  records: { accepted: number; rejected: number };
  rejections: Record<string, number>;
  failures: Array<{ batchId: string; code: string | null }>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pushes one batch until it settles (received, refused for good, or past its deadline). */
async function deliver(o: SyncOptions, deps: PushDeps, batchId: string): Promise<void> {
  const sleep = o.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    const step = await pushBatchOnce(deps, batchId);
    if (step.kind !== 'retry') return;
    const batch = await getBatch(o.db, batchId);
    const decision = decideRetry(step.outcome, attempt, {
      now: o.db.clock.now().getTime(), deadline: batch!.deadlineAt.getTime(), baseMs: o.retryBaseMs, maxMs: o.retryMaxMs, factor: 2, jitter: Math.random,
    });
    // Past the deadline the next pushBatchOnce records FAILED, so loop once more instead of stopping here.
    await sleep(decision.retry ? decision.delayMs : 0);
  }
}

export async function syncPeriod(period: string | null, o: SyncOptions): Promise<SyncSummary> {
  const progress = o.onProgress ?? (() => {});
  const built = await buildBatches(period, { ...o.builder, db: o.db, logger: o.logger });
  progress(`Đã lập ${built.batches.length} gói (${built.batches.reduce((n, b) => n + b.records, 0)} hồ sơ)` +
    (built.refused.length ? `; ${built.refused.length} đề nghị bị giữ lại (nội dung không khớp với phê duyệt)` : ''));
  const pending = (await pendingOutbox(o.db, 100_000)).filter((r) => r.topic === PUSH_TOPIC).map((r) => r.key);
  const deps: PushDeps = { db: o.db, client: o.client, logger: o.logger, owner: `sync:${process.pid}`, leaseMs: o.leaseMs };
  const summary: SyncSummary = { built: built.batches, refused: built.refused, batches: { accepted: 0, partial: 0, failed: 0 },
    records: { accepted: 0, rejected: 0 }, rejections: {}, failures: [] };
  let done = 0;
  o.onBatches?.(pending.length);
  const queue = [...pending];
  const lane = async () => {
    for (let batchId = queue.shift(); batchId !== undefined; batchId = queue.shift()) {
      await deliver(o, deps, batchId);
      const batch = (await getBatch(o.db, batchId))!;
      done += 1;
      if (batch.state === 'FAILED') {
        summary.batches.failed += 1;
        summary.failures.push({ batchId, code: batch.lastErrorCode });
      } else {
        summary.batches[batch.state === 'PARTIAL' ? 'partial' : 'accepted'] += 1;
        for (const r of await batchRecords(o.db, batchId)) {
          if (r.outcome === 'ACCEPTED') summary.records.accepted += 1;
          if (r.outcome === 'REJECTED') {
            summary.records.rejected += 1;
            summary.rejections[r.code ?? 'UNKNOWN'] = (summary.rejections[r.code ?? 'UNKNOWN'] ?? 0) + 1;
          }
        }
      }
      o.onBatchSettled?.(batchId, batch.state);
      progress(`[${done}/${pending.length}] ${batchId} ${batch.state}${batch.lastErrorCode ? ` (${batch.lastErrorCode})` : ''} sau ${batch.attempts} lần gửi`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.maxInFlight, pending.length)) }, lane));
  return summary;
}

export function formatSummary(s: SyncSummary): string {
  const lines = [
    `Gói: ${s.batches.accepted} ACCEPTED, ${s.batches.partial} PARTIAL, ${s.batches.failed} FAILED`,
    `Hồ sơ: ${s.records.accepted} được chấp nhận, ${s.records.rejected} bị từ chối`,
    ...Object.entries(s.rejections).map(([code, n]) => `  bị từ chối ${code}: ${n}`),
    ...s.failures.map((f) => `  FAILED ${f.batchId}: ${f.code ?? 'UNKNOWN'} — cán bộ vận hành cần chạy lại gói này trên bảng điều khiển (Đồng bộ)`),
    ...(s.refused.length ? [`Đề nghị bị giữ lại trước khi gửi (nội dung không khớp với phê duyệt): ${s.refused.length}`] : []),
  ];
  return lines.join('\n');
}
