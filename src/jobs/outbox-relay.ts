// Hands outbox rows to the queue. Runs when the outbox listener wakes it and, as a safety net, on an
// interval in every worker; idempotent by job id, so several relays at once are harmless. A row stays
// pending until its work is settled in the database, so a job lost with Redis (restart, flush) is simply
// added again on the next tick.
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

export interface Relay {
  stop(): Promise<void>;
  /** Runs a pass soon: now when idle, else once more right after the running one. */
  wake(): void;
}

/** Runs relayOnce every `intervalMs` and on wake(); a failing pass is logged and retried next tick. */
export function startRelay(deps: RelayDeps, intervalMs: number): Relay {
  return startPasses(() => relayOnce(deps), intervalMs, (err) => deps.logger.warn({ err }, 'outbox relay pass failed'));
}

/**
 * Runs `pass` now, then `intervalMs` after each pass ends, and on wake(). Never two passes at once:
 * wakes during a pass (a burst of notifications) fold into one more pass right after it.
 */
export function startPasses(pass: () => Promise<unknown>, intervalMs: number, onError: (err: unknown) => void): Relay {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => {
    clearTimeout(timer);
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        await pass();
      } catch (err) {
        onError(err);
      }
    })();
    void running.then(() => {
      running = undefined;
      if (stopped) return;
      if (again) {
        again = false;
        run();
      } else timer = setTimeout(run, intervalMs);
    });
  };
  timer = setTimeout(run, 0);
  return {
    wake: run,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
