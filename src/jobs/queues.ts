// The job queue. BullMQ is at-least-once: a job may run twice or be lost with Redis; the outbox in
// PostgreSQL is what guarantees the work, the queue only schedules it (DESIGN "Components").
// One queue carries every outbox topic; the job name is the topic, the job id `{topic}__{key}` (BullMQ refuses a colon in custom ids).
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { openRedis } from './redis-target.ts';

export const OUTBOX_QUEUE = 'outbox';

export interface OutboxJobData {
  topic: string;
  key: string;
  /** Epoch ms after which the work is failed for an operator instead of retried. */
  deadline: number;
}

export function redisConnection(url: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest: null.
  return openRedis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
}

export function outboxJobId(topic: string, key: string): string {
  return `${topic}__${key}`;
}

export const outboxJobOptions: JobsOptions = {
  // The deadline stops retries, not a count (the backoff strategy answers -1 past it).
  attempts: 1_000_000,
  backoff: { type: 'national' },
  removeOnComplete: true,
  removeOnFail: false,
};

export function createOutboxQueue(connection: ConnectionOptions, prefix: string): Queue<OutboxJobData> {
  return new Queue<OutboxJobData>(OUTBOX_QUEUE, { connection, prefix });
}
