// The BullMQ worker for outbox jobs. Each topic has one handler that makes one attempt and says whether
// the work is settled or must be tried again; retry timing comes from the one retry policy
// (exchange/retry-policy.ts) as BullMQ's backoff strategy, honouring Retry-After and the deadline.
import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { OUTBOX_QUEUE, type OutboxJobData } from './queues.ts';
import { toBackoffStrategy, type RetryOutcome } from '../exchange/retry-policy.ts';
import { systemMs } from '../clock.ts';

/** One attempt at the work of an outbox row. `retry` carries what the retry policy needs. */
export type TopicHandler = (key: string, context: { jobId: string; deadline: number }) => Promise<{ kind: 'retry'; outcome: RetryOutcome } | { kind: string }>;

export interface OutboxWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  handlers: Record<string, TopicHandler>;
  concurrency: number;
  lockMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  logger: Logger;
}

/** Carries the outcome to the backoff strategy, which reads `err.outcome`. */
class RetryLater extends Error {
  constructor(readonly outcome: RetryOutcome) {
    super('will be retried');
    this.name = 'RetryLater';
  }
}

export function startOutboxWorker(o: OutboxWorkerOptions): Worker<OutboxJobData> {
  const worker = new Worker<OutboxJobData>(OUTBOX_QUEUE, async (job) => {
    const handler = o.handlers[job.data.topic];
    if (!handler) throw new Error(`no handler for outbox topic ${job.data.topic}`);
    const step = await handler(job.data.key, { jobId: job.id ?? '', deadline: job.data.deadline });
    if (step.kind === 'retry') throw new RetryLater((step as { outcome: RetryOutcome }).outcome);
    return step;
  }, {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
    // Handlers are idempotent (leases, lookups, idempotency keys), so a job whose worker died is always resumed.
    maxStalledCount: 1_000,
    settings: {
      backoffStrategy: toBackoffStrategy({
        baseMs: o.retryBaseMs, maxMs: o.retryMaxMs, factor: 2, jitter: Math.random,
        deadlineOf: (job) => (job?.data as OutboxJobData | undefined)?.deadline ?? systemMs(),
      }),
    },
  });
  worker.on('failed', (job, err) => {
    if (!(err instanceof RetryLater)) o.logger.error({ err, topic: job?.data.topic, key: job?.data.key }, 'outbox job failed');
  });
  worker.on('error', (err) => o.logger.warn({ err }, 'outbox worker error'));
  return worker;
}
