// Two worker processes started at the same moment over the same queue and database, against a
// national side that is slow, drops answers after storing (reset-after) and answers 503: both relays
// add the same jobs (idempotent by job id), BullMQ hands each job to one of them at a time, the batch
// lease keeps a second pusher off a batch, lost answers are looked up before resending, and the
// Idempotency-Key settles anything left. Every record arrives exactly once.
import { describe, expect, it, onTestFailed } from 'vitest';
import { dumpProcessOutput, spawnWorker, waitFor } from '../../support/worker-process.ts';
import { expectDeliveredExactlyOnce, useScenario, type Scenario } from './fixture.ts';

let s: Scenario;
useScenario((ready) => { s = ready; });

const received = (output: string) => output.split('\n').filter((l) => l.includes('"msg":"batch received by the national side"')).length;

describe('two workers started at once', () => {
  it('deliver every batch exactly once between them, through slow answers, lost answers and 503s', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const db = s.database.db;
    const { changeIds, batchIds } = await s.batches(16, 2);
    expect(batchIds).toHaveLength(8);
    s.sim.sim.setFaults({
      seed: 42, rules: [
        { action: 'delay', delayMs: 400, routes: ['pushBatch'] },
        { action: 'reset-after', rate: 0.3, routes: ['pushBatch'] },
        { action: 'status', status: 503, rate: 0.2, routes: ['pushBatch', 'getBatch'] },
      ]
    });
    s.sim.sim.resetStats();
    // The lease outlives the slowest push (400 ms), so a live pusher is never overtaken.
    const env = s.env({ WORKER_CONCURRENCY: '4', BATCH_LEASE_MS: '5000', WORKER_LOCK_MS: '1500' });
    const workers = [spawnWorker('worker-a', env), spawnWorker('worker-b', env)];
    await Promise.all(workers.map((w) => w.started));

    await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
      { timeoutMs: 60_000, message: `all ${changeIds.length} changes SYNCED by the two workers`, describe: s.describe });
    await expectDeliveredExactlyOnce(s, changeIds, batchIds);

    const stats = await s.sim.sim.stats();
    expect(stats.faults.injected['reset-after'] ?? 0).toBeGreaterThan(0); // the faults really happened
    expect(stats.calls.getBatch ?? 0).toBeGreaterThan(0); // and lost answers were looked up
    // Each receipt was recorded by exactly one of the two processes (the other never settled it again).
    const settledBy = workers.map((w) => received(w.output()));
    expect(settledBy.reduce((a, b) => a + b, 0)).toBe(batchIds.length);
    console.info(`batches settled per worker: ${settledBy.join(' / ')}; push attempts ${stats.pushAttempts}, lookups ${stats.calls.getBatch ?? 0}`);
    expect(await db.prisma.batch.count({ where: { state: { not: 'ACCEPTED' } } })).toBe(0);
    for (const w of workers) expect(await w.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
