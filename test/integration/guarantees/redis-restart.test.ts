// Redis loses every queued job (a restart without persistence): the outbox in PostgreSQL still says
// what is pending, the relay of the next worker re-creates the jobs, and every batch is delivered
// exactly once. The test runs its own redis-server (in memory, on a free port) so the shared Redis is
// never restarted; the shared one is not used at all here.
import { describe, expect, it, onTestFailed } from 'vitest';
import { Redis } from 'ioredis';
import {
  dumpProcessOutput, spawnWorker, startRedisServer, waitFor, type RedisServer,
} from '../../support/worker-process.ts';
import { expectDeliveredExactlyOnce, useScenario, type Scenario } from './fixture.ts';
import { relayOnce } from '../../../src/jobs/outbox-relay.ts';
import { createOutboxQueue, outboxJobId, redisConnection } from '../../../src/jobs/queues.ts';
import { PUSH_TOPIC } from '../../../src/store/batches.ts';
import { createLogger } from '../../../src/logger.ts';

let s: Scenario;
let redis: RedisServer | undefined;
useScenario((ready) => { s = ready; }, () => redis?.url);

async function keyCount(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => { });
  await client.connect();
  try {
    return (await client.keys(`${prefix}:*`)).length;
  } finally {
    client.disconnect();
  }
}

describe('Redis restarted while jobs are queued', () => {
  it('loses no job: the relay re-creates them from the outbox and every batch is delivered exactly once', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const db = s.database.db;
    const { changeIds, batchIds } = await s.batches(9, 3);
    expect(batchIds).toHaveLength(3);
    s.sim.sim.setFaults({ rules: [] });
    s.sim.sim.resetStats();
    redis = await startRedisServer(undefined, 'redis-1');
    const port = redis.port;

    // The jobs go into Redis (the relay, in process, against the private Redis); no worker runs yet.
    const connection = redisConnection(redis.url);
    connection.on('error', () => { });
    const queue = createOutboxQueue(connection, s.queuePrefix);
    try {
      expect(await relayOnce({ db, queue, logger: createLogger('silent') })).toBe(3);
      const jobs = await Promise.all(batchIds.map((id) => queue.getJob(outboxJobId(PUSH_TOPIC, id))));
      expect(jobs.map((j) => j?.data.key)).toEqual(batchIds);
      expect(await queue.getJobCounts('wait')).toEqual({ wait: 3 });
      // A second pass finds them there and adds nothing.
      expect(await relayOnce({ db, queue, logger: createLogger('silent') })).toBe(0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(await db.prisma.outbox.count({ where: { topic: PUSH_TOPIC, dispatchedAt: { not: null }, doneAt: null } })).toBe(3);

    // Redis dies with the jobs; a new, empty one comes up on the same port.
    expect((await redis.kill('SIGKILL')).signal).toBe('SIGKILL');
    redis = await startRedisServer(port, 'redis-2');
    expect(await keyCount(redis.url, s.queuePrefix)).toBe(0);
    // Nothing was delivered meanwhile.
    expect((await s.sim.sim.stats()).pushAttempts).toBe(0);

    const worker = spawnWorker('worker', s.env({ REDIS_URL: redis.url }));
    await worker.started;
    await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
      { timeoutMs: 60_000, message: `all ${changeIds.length} changes SYNCED after the Redis restart`, describe: s.describe });
    await expectDeliveredExactlyOnce(s, changeIds, batchIds);
    expect(worker.output()).toMatch(/"created":3,"msg":"outbox relayed to the queue"/);
    // Each batch was pushed once: nothing to send twice.
    expect((await s.sim.sim.stats()).pushAttempts).toBe(batchIds.length);
    expect(await worker.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('also when the worker is running: a worker whose Redis restarts reconnects and its relay re-creates the lost jobs', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    redis = await startRedisServer(undefined, 'redis-3');
    const port = redis.port;
    // Every push refused with 503 for now: the jobs sit in Redis, delayed for their next attempt.
    s.sim.sim.setFaults({ rules: [{ action: 'status', status: 503, routes: ['pushBatch'] }] });
    s.sim.sim.resetStats();
    const worker = spawnWorker('worker', s.env({ REDIS_URL: redis.url, NATIONAL_RETRY_BASE_MS: '1000', NATIONAL_RETRY_MAX_MS: '1000' }));
    await worker.started;
    const { changeIds, batchIds } = await s.batches(6, 3);
    await waitFor(async () => (await s.sim.sim.stats()).pushAttempts >= batchIds.length,
      { timeoutMs: 30_000, message: 'every batch attempted (and refused) once', describe: s.describe });
    // Their jobs are in Redis (waiting for the next attempt, or being attempted).
    const connection = redisConnection(redis.url);
    connection.on('error', () => { });
    const queue = createOutboxQueue(connection, s.queuePrefix);
    try {
      const jobs = await Promise.all(batchIds.map((id) => queue.getJob(outboxJobId(PUSH_TOPIC, id))));
      expect(jobs.map((j) => j?.data.key)).toEqual(batchIds);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const relayedBefore = relayLines(worker.output());

    await redis.kill('SIGKILL');
    redis = await startRedisServer(port, 'redis-4');
    s.sim.sim.setFaults({ rules: [] });
    await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
      { timeoutMs: 60_000, message: `all ${changeIds.length} changes SYNCED after the Redis restart under a running worker`, describe: s.describe });
    await expectDeliveredExactlyOnce(s, changeIds, batchIds);
    // Delivered because the relay put the lost jobs back, not by chance.
    expect(relayLines(worker.output())).toBeGreaterThan(relayedBefore);
    expect(await worker.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 120_000);
});

function relayLines(output: string): number {
  return output.split('\n').filter((l) => l.includes('"msg":"outbox relayed to the queue"')).length;
}
