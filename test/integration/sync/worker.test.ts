// The queue path: outbox → relay → BullMQ (real Redis) → worker → simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { buildBatches } from '../../../src/sync/batch-builder.ts';
import { startWorker, type RunningWorker } from '../../../src/commands/worker.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';

let database: TestDatabase;
let sim: RunningSimulator;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 120, seed: 9 });
  sim = await startTestSimulator(database.url);
});
afterAll(async () => {
  await worker?.close();
  await sim?.close();
  await database?.drop();
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the worker', () => {
  it('delivers every built batch through the queue despite transient errors', async () => {
    const pki = await getTestPki();
    const { period, changeIds } = await approvedChanges(database.db, 30);
    const built = await buildBatches(period, { db: database.db, logger: createLogger('silent'), signer: pki.identity('org-signer'), senderCode: 'H55.19',
      maxRecords: 4, maxBytes: 1 << 24, deadlineMs: 60_000, actor: systemPrincipal('H55') });
    expect(built.batches.length).toBe(8);
    sim.sim.setFaults({ seed: 3, rules: [{ action: 'status', status: 503, rate: 0.3, routes: ['pushBatch'] }, { action: 'reset-after', rate: 0.2, routes: ['pushBatch'] }] });
    worker = await startWorker(loadConfig({}, {
      databaseUrl: database.url, redisUrl: 'redis://127.0.0.1:6379', queuePrefix: `test-${randomBytes(4).toString('hex')}`, logLevel: 'silent',
      nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token`, nationalClientId: CLIENT.clientId, nationalClientSecret: CLIENT.clientSecret,
      senderCode: 'H55.19', retryBaseMs: 20, retryMaxMs: 200, relayIntervalMs: 100, leaseMs: 2_000, workerLockMs: 2_000,
    }));
    await until(async () => (await database.db.prisma.profileChange.count({ where: { id: { in: changeIds }, state: 'SYNCED' } })) === 30, 60_000);
    expect(await database.db.prisma.batch.count({ where: { state: 'ACCEPTED' } })).toBe(8);
    expect(await database.db.prisma.outbox.count({ where: { doneAt: null } })).toBe(0);
  }, 90_000);
});
