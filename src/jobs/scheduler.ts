// The month's schedules as BullMQ job schedulers, fired daily in Asia/Ho_Chi_Minh time. Every worker
// registers them on start; a scheduler id is unique in Redis, so however many workers start at once
// there is one schedule, and each firing is one job taken by one worker.
import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { isGatewayError, type GatewayError } from '../errors.ts';
import type { Logger } from 'pino';
import { SCHEDULES, runSchedule, type ScheduleDeps, type ScheduleName } from '../sync/schedules.ts';

export const SCHEDULE_QUEUE = 'schedules';
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** When each schedule fires (its handler decides whether today is its day). */
export function schedulePatterns(monthEndHour: number): Record<ScheduleName, string> {
  return {
    'approval-reminders': '0 8 * * *',
    'month-end-sync': `0 ${monthEndHour} * * *`,
    reconciliation: '30 2 * * *',
    'audit-checkpoint': '50 23 * * *',
  };
}

/**
 * A firing that failed for a passing reason (the HSM unplugged or busy, the database restarting) is
 * tried again a few minutes later; nothing was half-done (a batch is stored only once signed).
 */
const RETRY = { attempts: 6, backoff: { type: 'exponential', delay: 60_000 } } as const;

/** Failures a retry cannot fix, and that retrying would make worse (a wrong HSM PIN locks the HSM). */
const NEVER_RETRIED = new Set(['PKCS11_PIN_INCORRECT', 'PKCS11_PIN_LOCKED', 'PKCS11_PIN_REQUIRED', 'PKCS11_KEY_NOT_FOUND', 'PKCS11_MODULE_LOAD_FAILED', 'CONFIG_INVALID']);

/** Whether a failed firing is tried again (RETRY) or given up at once. */
export function isRetriedFailure(err: unknown): boolean {
  return !(isGatewayError(err) && NEVER_RETRIED.has(err.code));
}

export async function registerSchedules(queue: Queue, monthEndHour: number): Promise<void> {
  const patterns = schedulePatterns(monthEndHour);
  for (const name of SCHEDULES) {
    await queue.upsertJobScheduler(name, { pattern: patterns[name], tz: TIME_ZONE }, { name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100, ...RETRY } });
  }
}

export function createScheduleQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(SCHEDULE_QUEUE, { connection, prefix });
}

export function startScheduleWorker(connection: ConnectionOptions, prefix: string, deps: ScheduleDeps, logger: Logger): Worker {
  const worker = new Worker(SCHEDULE_QUEUE, async (job) => {
    let result;
    try {
      result = await runSchedule(job.name as ScheduleName, deps, deps.db.clock.now());
    } catch (err) {
      if (!isRetriedFailure(err)) throw new UnrecoverableError(`${(err as GatewayError).code}: ${(err as Error).message}`);
      throw err;
    }
    logger.info({ schedule: job.name, result: result.ran ? 'ran' : result.reason }, 'schedule fired');
    return result.ran;
  }, { connection, prefix, concurrency: 1 });
  worker.on('error', (err) => logger.warn({ err }, 'schedule worker error'));
  return worker;
}
