// `csdl-gateway worker` stopped with SIGTERM while a push is on the wire (the simulator holds every
// push for 1.5 s): it takes no new job, lets the push in flight finish and settle, closes its
// connections and exits 0 by itself. Nothing is left SENDING under a lease, nothing is sent twice, and
// a second worker delivers the batches the first one never started. Real processes, real PostgreSQL,
// real Redis, the simulator over HTTP.
import { describe, expect, it, onTestFailed } from 'vitest';
import { dumpProcessOutput, spawnWorker, waitFor } from '../../support/worker-process.ts';
import { expectDeliveredExactlyOnce, useScenario, type Scenario } from './fixture.ts';

const PUSH_DELAY_MS = 1_500;
let s: Scenario;
useScenario((ready) => { s = ready; });

describe('graceful shutdown of the worker', () => {
  it('finishes the push in flight on SIGTERM, exits 0, and leaves the rest to the next worker', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const db = s.database.db;
    const { changeIds, batchIds } = await s.batches(9, 3);
    expect(batchIds).toHaveLength(3);
    s.sim.sim.setFaults({ rules: [{ action: 'delay', delayMs: PUSH_DELAY_MS, routes: ['pushBatch'] }] });
    s.sim.sim.resetStats();
    // One job at a time, and a lease far longer than the test: a push abandoned by the shutdown would
    // stay visible as SENDING under the dead worker's lease.
    const env = s.env({ WORKER_CONCURRENCY: '1', BATCH_LEASE_MS: '120000' });

    const first = spawnWorker('worker-1', env);
    await first.started;
    const [inFlight] = await waitFor(async () => {
      const stats = await s.sim.sim.stats();
      if ((stats.calls.pushBatch ?? 0) < 1 || stats.inFlight < 1) return false;
      const sending = await db.prisma.batch.findMany({ where: { state: 'SENDING', leaseOwner: { contains: `:${first.pid}:` } } });
      return sending.length > 0 ? sending : false;
    }, { timeoutMs: 30_000, message: 'a push in flight from worker-1', describe: s.describe });
    const signalled = Date.now();
    // Bounded: the push has at most PUSH_DELAY_MS left, then closing takes well under a few seconds.
    const exit = await first.terminate(15_000);
    const tookMs = Date.now() - signalled;
    expect(exit, `worker-1 did not exit within 15 s of SIGTERM`).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('SIGTERM: finishing in-flight work');

    // The push in flight was finished and settled, not abandoned.
    const settled = await db.prisma.batch.findUniqueOrThrow({ where: { batchId: inFlight!.batchId } });
    expect(settled).toMatchObject({ state: 'ACCEPTED', leaseOwner: null, leaseUntil: null, attempts: 1 });
    expect(await db.prisma.batch.count({ where: { state: { in: ['SENDING', 'UNKNOWN'] } } })).toBe(0);
    // The others were never started: no new job was taken after SIGTERM.
    const rest = await db.prisma.batch.findMany({ where: { batchId: { in: batchIds.filter((id) => id !== inFlight!.batchId) } } });
    expect(rest.map((b) => [b.state, b.attempts])).toEqual(rest.map(() => ['BUILT', 0]));
    const afterFirst = await s.sim.sim.stats();
    expect(afterFirst.pushAttempts).toBe(1);
    expect(afterFirst.inFlight).toBe(0);
    expect(tookMs).toBeLessThan(PUSH_DELAY_MS + 10_000);

    const second = spawnWorker('worker-2', env);
    await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
      { timeoutMs: 60_000, message: `all ${changeIds.length} changes SYNCED by worker-2`, describe: s.describe });
    await expectDeliveredExactlyOnce(s, changeIds, batchIds);
    // No batch was sent twice and none needed a lookup: every push got its answer.
    const stats = await s.sim.sim.stats();
    expect(stats.pushAttempts).toBe(batchIds.length);
    expect(stats.calls.getBatch ?? 0).toBe(0);
    const keys = stats.recent.filter((t) => t.route === 'pushBatch').map((t) => t.idempotencyKey).sort();
    expect(keys).toEqual([...batchIds].sort());
    expect((await db.prisma.batch.findMany()).map((b) => b.attempts)).toEqual(batchIds.map(() => 1));
    expect(await second.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
