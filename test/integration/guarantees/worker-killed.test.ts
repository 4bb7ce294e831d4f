// A worker process SIGKILLed while its pushes are on the wire (the simulator holds every push for
// 2.5 s): nothing in the dying process gets to clean up. A new worker process takes the jobs over once
// their BullMQ lock runs out, takes the batches over once their lease runs out, asks GET /batches/{id}
// before sending again (the dead push may or may not have landed), and the national side ends up with
// every record exactly once. Real PostgreSQL, real Redis, the simulator over HTTP, real processes.
import { describe, expect, it, onTestFailed } from 'vitest';
import { dumpProcessOutput, spawnWorker, waitFor } from '../../support/worker-process.ts';
import { expectDeliveredExactlyOnce, useScenario, type Scenario } from './fixture.ts';

let s: Scenario;
useScenario((ready) => { s = ready; });

describe('a worker killed in the middle of a push', () => {
  it('is taken over by a new worker process and every record reaches the national side exactly once', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const db = s.database.db;
    const { changeIds, batchIds } = await s.batches(12, 3);
    expect(batchIds).toHaveLength(4);
    s.sim.sim.setFaults({ rules: [{ action: 'delay', delayMs: 2_500, routes: ['pushBatch'] }] });
    s.sim.sim.resetStats();
    const env = s.env({ WORKER_LOCK_MS: '1500', BATCH_LEASE_MS: '2000', WORKER_CONCURRENCY: '2' });

    const first = spawnWorker('worker-1', env);
    await first.started;
    // Kill only once a push is really on the wire: the simulator is holding it and the gateway has
    // the batch SENDING under this process's lease.
    const inFlight = await waitFor(async () => {
      const stats = await s.sim.sim.stats();
      if ((stats.calls.pushBatch ?? 0) < 1 || stats.inFlight < 1) return false;
      const sending = await db.prisma.batch.findMany({ where: { state: 'SENDING', leaseOwner: { contains: `:${first.pid}:` } } });
      return sending.length > 0 ? sending : false;
    }, { timeoutMs: 30_000, message: 'a push in flight from worker-1', describe: s.describe });
    const exit = await first.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');

    // Right after the kill: nothing was settled, the batches it was pushing are left SENDING with its lease.
    const killedIds = inFlight.map((b) => b.batchId);
    expect(await db.prisma.batch.count({ where: { state: 'ACCEPTED' } })).toBe(0);
    const orphaned = await db.prisma.batch.findMany({ where: { batchId: { in: killedIds } } });
    expect(orphaned.every((b) => b.state === 'SENDING' && b.leaseOwner?.includes(`:${first.pid}:`))).toBe(true);

    const second = spawnWorker('worker-2', env);
    await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
      { timeoutMs: 60_000, message: `all ${changeIds.length} changes SYNCED after the restart`, describe: s.describe });

    await expectDeliveredExactlyOnce(s, changeIds, batchIds);
    // The batches cut short were attempted again, and each was looked up before it was sent again.
    const retaken = await db.prisma.batch.findMany({ where: { batchId: { in: killedIds } } });
    expect(retaken.every((b) => b.attempts >= 2)).toBe(true);
    const stats = await s.sim.sim.stats();
    expect(stats.calls.getBatch ?? 0).toBeGreaterThanOrEqual(killedIds.length);
    // The second worker shuts down cleanly.
    expect(await second.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
