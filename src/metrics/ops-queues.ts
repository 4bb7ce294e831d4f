// The API's read-only handles on the BullMQ queues ('outbox' and 'schedules', under QUEUE_PREFIX): the
// queue depths of the health panel and the metrics, and the queues Bull Board shows to ADMIN. The API
// never adds or takes jobs through them.
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createOutboxQueue } from '../jobs/queues.ts';
import { createScheduleQueue } from '../jobs/scheduler.ts';
import type { QueueCounts } from './health-levels.ts';

export interface OpsQueues {
  readonly outbox: Queue;
  readonly schedules: Queue;
  /** Whether Redis is connected now: what cannot be answered from Redis is refused at once, not awaited. */
  available(): boolean;
  close(): Promise<void>;
}

/** Redis is asked with a time limit: a health panel or a scrape must not hang on an unreachable Redis. */
export const QUEUE_COUNT_TIMEOUT_MS = 2_000;

export function openOpsQueues(redisUrl: string, prefix: string): OpsQueues {
  // Not the workers' connection (maxRetriesPerRequest: null, which BullMQ's blocking reads need and which
  // holds a command until Redis comes back): these queues only read, so a command fails once a
  // reconnection attempt has failed, and an API request waiting on it gets an answer.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableReadyCheck: false });
  connection.on('error', () => {}); // reported through the readiness probe and the health panel
  const outbox = createOutboxQueue(connection, prefix) as unknown as Queue;
  const schedules = createScheduleQueue(connection, prefix);
  for (const queue of [outbox, schedules]) queue.on('error', () => {}); // likewise: a queue of an unreachable Redis only says so
  let closing: Promise<void> | undefined;
  return {
    outbox, schedules,
    available: () => connection.status === 'ready',
    close: () => (closing ??= Promise.allSettled([outbox.close(), schedules.close()]).then(() => connection.disconnect())),
  };
}

/** waiting/active/delayed/failed of a queue, or null when Redis does not answer in time. */
export async function queueCounts(queue: Queue, timeoutMs = QUEUE_COUNT_TIMEOUT_MS): Promise<QueueCounts | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
  try {
    const counts = await Promise.race([queue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null), timeout]);
    if (!counts) return null;
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
  } finally {
    clearTimeout(timer);
  }
}
