// NATIONAL_API.md §4 as the national side sees it, with every kind of process of one province at once:
// two `csdl-gateway worker`s, a `csdl-gateway serve` whose operators run the reconciliation by hand
// (GET /batches/{id} from the API process) and a `csdl-gateway sync` from the command line, all pushing
// the same month against a simulator that answers 429 and 503 with Retry-After (the token route too),
// resets connections after storing and answers slowly. The simulator counts, per sender and over every
// connection: the calls in flight at once (token calls included) and the calls that arrived before a
// Retry-After it had answered had elapsed. At most NATIONAL_MAX_IN_FLIGHT (4) in flight, none early,
// and every record delivered exactly once.
import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFailed } from 'vitest';
import { request } from 'undici';
import { issueDevToken } from '../../../src/auth/dev-token.ts';
import { getTestPki } from '../../support/pki.ts';
import { dumpProcessOutput, freePort, spawnCli, spawnWorker, waitFor } from '../../support/worker-process.ts';
import { expectDeliveredExactlyOnce, useScenario, type Scenario } from './fixture.ts';

// A call that passed the gate just before another process shared a Retry-After can still arrive after
// the answer: decided before it could be known (the answer in transit, the deciding process waiting for
// the CPU). The simulator counts calls arriving within this grace of the answer apart as `racing`; on
// this project's shared 2-core machines (load 15–20 while helpers run tests) a process can stall for a
// few hundred ms, hence 500 ms here; the figures are printed either way.
const GRACE_MS = 500;
let s: Scenario;
useScenario((ready) => { s = ready; }, () => undefined, { retryAfterGraceMs: GRACE_MS });

describe('one sender, every process of the province at once', () => {
  it('keeps at most 4 calls in flight for the sender and none before a Retry-After elapsed, delivering exactly once', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const pki = await getTestPki();
    const { changeIds, batchIds } = await s.batches(30, 2);
    s.sim.sim.setFaults({
      seed: 11, rules: [
        { action: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', times: 2, routes: ['token'] },
        { action: 'delay', delayMs: 250, routes: ['pushBatch', 'getBatch'] },
        { action: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', rate: 0.12, routes: ['pushBatch', 'getBatch'] },
        { action: 'status', status: 503, retryAfter: '1', rate: 0.08, routes: ['pushBatch'] },
        { action: 'reset-after', rate: 0.2, routes: ['pushBatch'] },
      ],
    });
    s.sim.sim.resetStats();

    const env = s.env({
      WORKER_CONCURRENCY: '4', BATCH_LEASE_MS: '5000', WORKER_LOCK_MS: '3000', NATIONAL_MAX_IN_FLIGHT: '4',
      TRUST_ANCHORS: pki.path('trust-anchors.pem'), SIGNER_P12_FILE: pki.path('org-signer.p12'), SIGNER_P12_PASSWORD: pki.p12Password,
    });
    const port = await freePort();
    // The API first (it has the most to load), then the two workers and the CLI together.
    const api = spawnCli('api', ['serve'], { ...env, AUTH_DEV_MODE: 'true', PORT: String(port), HOST: '127.0.0.1' }, 'csdl-gateway API listening');
    await api.started;
    const workers = [spawnWorker('worker-a', env), spawnWorker('worker-b', env)];
    const sync = spawnCli('cli-sync', ['sync'], env, '');
    await Promise.all(workers.map((w) => w.started));

    // Operators run the reconciliation by hand on the API meanwhile: its lookups are the API process's calls.
    const token = await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: 'H55', subject: `snv-${randomBytes(2).toString('hex')}` });
    let reconciling = true;
    let apiRuns = 0;
    const operators = (async () => {
      while (reconciling) {
        await Promise.all([1, 2].map(async () => {
          const res = await request(`http://127.0.0.1:${port}/api/v1/schedules/reconciliation/run`, {
            method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
          });
          await res.body.dump();
          if (res.statusCode === 200) apiRuns += 1;
        }));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    try {
      await waitFor(async () => (await s.changeStates(changeIds)).SYNCED === changeIds.length,
        { timeoutMs: 90_000, message: `all ${changeIds.length} changes SYNCED`, describe: s.describe });
    } finally {
      reconciling = false;
      await operators;
    }
    expect(await sync.exited).toEqual({ code: 0, signal: null });
    await expectDeliveredExactlyOnce(s, changeIds, batchIds);

    const stats = await s.sim.sim.stats();
    const sender = stats.senders['H55.19']!;
    console.info(`sender H55.19: ${sender.calls} calls, at most ${sender.maxInFlight} in flight (excess ${sender.excess}); `
      + `${sender.retryAfterAnswers} answers with Retry-After; early calls ${sender.early.count} (earliest ${sender.early.maxMs} ms before), `
      + `calls arriving within ${GRACE_MS} ms of a Retry-After answer (racing it) ${sender.racing.count} (at most ${sender.racing.maxLagMs} ms after it); `
      + `calls by route ${JSON.stringify(stats.calls)}; faults ${JSON.stringify(stats.faults.injected)}; reconciliations run on the API ${apiRuns}`);
    // The faults happened, and every kind of process called.
    expect(sender.retryAfterAnswers).toBeGreaterThan(2);
    expect(stats.faults.injected.status ?? 0).toBeGreaterThan(2);
    expect(stats.calls.token ?? 0).toBeGreaterThanOrEqual(4); // one token per process at least, after the refused ones
    expect(apiRuns).toBeGreaterThan(0);
    expect(sync.output()).toMatch(/Đã lập \d+ gói/);
    // §4: never more than NATIONAL_MAX_IN_FLIGHT at once, never early.
    expect(sender.maxInFlight).toBeLessThanOrEqual(4);
    expect(sender.excess).toBe(0);
    expect(sender.early).toEqual({ count: 0, maxMs: 0 });
    for (const w of workers) expect(await w.terminate(20_000)).toEqual({ code: 0, signal: null });
    expect(await api.terminate(20_000)).toEqual({ code: 0, signal: null });
  }, 180_000);
});
