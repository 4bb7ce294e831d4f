// The scheduled backup as a BullMQ job scheduler on a queue of its own, fired hourly (Asia/Ho_Chi_Minh);
// the use case decides whether a backup is due, so one scheduler serves the monthly and the frequent
// rhythm and however many workers register it, each firing runs once.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { TIME_ZONE } from './scheduler.ts';
import { runScheduledBackup, type ScheduledBackupDeps } from '../services/scheduled-backup.ts';

export const BACKUP_QUEUE = 'backups';

export async function registerBackupSchedule(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler('backup', { pattern: '15 * * * *', tz: TIME_ZONE }, { name: 'backup', data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } });
}

export function startBackupWorker(connection: ConnectionOptions, prefix: string, deps: ScheduledBackupDeps, logger: Logger): { queue: Queue; worker: Worker } {
  const queue = new Queue(BACKUP_QUEUE, { connection, prefix });
  // A dump of a large province takes minutes: the lock must outlive it.
  const worker = new Worker(BACKUP_QUEUE, async () => (await runScheduledBackup(deps)).taken, { connection, prefix, concurrency: 1, lockDuration: 600_000 });
  worker.on('error', (err) => logger.warn({ err }, 'backup worker error'));
  return { queue, worker };
}
