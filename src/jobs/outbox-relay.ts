// Hands outbox rows to the queue. Runs on an interval in every worker; idempotent by job id, so
// several relays at once are harmless. A row stays pending until its work is settled in the database,
// so a job lost with Redis (restart, flush) is simply added again on the next tick.
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { markDispatched, pendingOutbox } from '../store/outbox.ts';
import { outboxJobId, outboxJobOptions, type OutboxJobData } from './queues.ts';

export interface RelayDeps { db: Db; queue: Queue<OutboxJobData>; logger: Logger; batchSize?: number }

/** Work without a deadline of its own is retried for this long. */
const DEFAULT_DEADLINE_MS = 72 * 3_600_000;

/** One pass over the pending outbox; returns how many jobs it (re)created. */
export async function relayOnce(deps: RelayDeps): Promise<number> {
  const rows = await pendingOutbox(deps.db, deps.batchSize ?? 500);
  let created = 0;
  for (const row of rows) {
    const jobId = outboxJobId(row.topic, row.key);
    const existing = await deps.queue.getJob(jobId);
    if (existing) {
      // A job BullMQ gave up on (past the deadline) while the row is pending: run it once more so
      // its handler records the failure in the database.
      if (!(await existing.isFailed())) continue;
      await existing.remove();
    }
    const deadline = (row.payload as { deadline?: number } | null)?.deadline ?? row.createdAt.getTime() + DEFAULT_DEADLINE_MS;
    await deps.queue.add(row.topic, { topic: row.topic, key: row.key, deadline }, { ...outboxJobOptions, jobId });
    created += 1;
  }
  await markDispatched(deps.db, rows.map((r) => r.id));
  if (created) deps.logger.info({ created }, 'outbox relayed to the queue');
  return created;
}

/** Runs relayOnce every `intervalMs` until stopped; a failing pass is logged and retried next tick. */
export function startRelay(deps: RelayDeps, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const tick = () => {
    if (stopped) return;
    running = relayOnce(deps).catch((err) => deps.logger.warn({ err }, 'outbox relay pass failed')).finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  timer = setTimeout(tick, 0);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
