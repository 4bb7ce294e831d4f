// `csdl-gateway worker`: processes outbox jobs (batch pushes, transfers, acks) and relays the outbox,
// until SIGTERM. On SIGTERM it stops taking jobs, lets in-flight work finish (BullMQ's close waits for
// it), then closes its connections; work cut short by SIGKILL is resumed by another worker after its
// job lock and batch lease run out.
import { hostname } from 'node:os';
import type { Config } from '../config.ts';
import { openNationalClient, openRuntime, type Runtime } from '../runtime.ts';
import { createOutboxQueue, redisConnection } from '../jobs/queues.ts';
import { startOutboxWorker, type TopicHandler } from '../jobs/outbox-worker.ts';
import { startRelay } from '../jobs/outbox-relay.ts';
import { PUSH_TOPIC } from '../store/batches.ts';
import { listenOutbox } from '../store/outbox.ts';
import { pushBatchOnce } from '../sync/push-batch.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import { createScheduleQueue, registerSchedules, startScheduleWorker } from '../jobs/scheduler.ts';
import { closeSigningSetup, loadSigningSetup } from '../approval/signing-setup.ts';
import { scheduleDeps } from '../sync/schedule-deps.ts';
import { TRANSFER_ACK_TOPIC, TRANSFER_PULL_TOPIC } from '../store/transfers.ts';
import { transferHandlers, transferJobDeps } from '../transfer/transfer-jobs.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { registerBackupSchedule, startBackupWorker } from '../jobs/backup-schedule.ts';
import { systemClock } from '../clock.ts';
import { loadEncryptionKey } from '../services/backup-envelope.ts';

export interface RunningWorker { close(): Promise<void> }

/** One handler per outbox topic. */
export function topicHandlers(config: Config, rt: Runtime, client: NationalClient): Record<string, TopicHandler> {
  const owner = `${hostname()}:${process.pid}`;
  const transfers = transferHandlers(transferJobDeps(config, rt, client));
  return {
    [PUSH_TOPIC]: (batchId, { jobId }) => pushBatchOnce({ db: rt.db, client, logger: rt.logger, leaseMs: config.leaseMs, owner: `${owner}:${jobId}` }, batchId),
    [TRANSFER_PULL_TOPIC]: transfers.pull,
    [TRANSFER_ACK_TOPIC]: transfers.ack,
  };
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  const rt = openRuntime(config);
  const client = openNationalClient(config, rt.metrics.onNationalAttempt);
  const metricsServer = config.metricsPort ? await startMetricsServer(rt.metrics, { host: config.host, port: config.metricsPort, token: config.metricsToken }) : null;
  const connection = redisConnection(config.redisUrl);
  const queue = createOutboxQueue(connection, config.queuePrefix);
  const worker = startOutboxWorker({
    connection, prefix: config.queuePrefix, concurrency: config.workerConcurrency, lockMs: config.workerLockMs,
    retryBaseMs: config.retryBaseMs, retryMaxMs: config.retryMaxMs, logger: rt.logger,
    handlers: topicHandlers(config, rt, client),
  });
  const relay = startRelay({ db: rt.db, queue, logger: rt.logger }, config.relayIntervalMs);
  // Committed outbox work wakes the relay at once; the interval stays as the safety net.
  const listener = await listenOutbox(config.databaseUrl, () => relay.wake(),
    (err) => rt.logger.warn({ err }, 'outbox listener not connected; relaying on the interval until it reconnects'));
  const scheduleQueue = config.schedulesEnabled ? createScheduleQueue(connection, config.queuePrefix) : null;
  const signing = scheduleQueue ? await loadSigningSetup(config) : null;
  const scheduleWorker = scheduleQueue && signing
    ? (await registerSchedules(scheduleQueue, config.monthEndHour),
      startScheduleWorker(connection, config.queuePrefix, scheduleDeps(config, rt.db, rt.logger, client, signing), rt.logger))
    : null;
  const backups = config.schedulesEnabled ? startBackupWorker(connection, config.queuePrefix, {
    databaseUrl: config.databaseUrl, db: rt.db, clock: systemClock, logger: rt.logger, dir: config.backupDir, pgBinDir: config.backupPgBinDir,
    ...(config.backupEncryptKeyFile ? { encryptKey: await loadEncryptionKey(config.backupEncryptKeyFile) } : {}),
    maxAgeHours: config.backupMaxAgeHours, policy: { monthlyHour: config.backupMonthlyHour, frequentHours: config.backupFrequentHours,
      keepMonthly: config.backupKeepMonthly, keepFrequent: config.backupKeepFrequent },
  }, rt.logger) : null;
  if (backups) await registerBackupSchedule(backups.queue);
  rt.logger.info({ concurrency: config.workerConcurrency, schedules: config.schedulesEnabled }, 'worker started');
  let closing: Promise<void> | undefined;
  return {
    close: () => (closing ??= (async () => {
      await listener.close();
      await relay.stop();
      await metricsServer?.close();
      await scheduleWorker?.close();
      await scheduleQueue?.close();
      if (signing) closeSigningSetup(signing);
      await backups?.worker.close();
      await backups?.queue.close();
      await worker.close();
      await queue.close();
      await client.close();
      connection.disconnect();
      await rt.close();
    })()),
  };
}

export async function runWorker(config: Config): Promise<void> {
  const running = await startWorker(config);
  const stop = (signal: string) => {
    console.error(`[worker] ${signal}: finishing in-flight work`);
    running.close().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
