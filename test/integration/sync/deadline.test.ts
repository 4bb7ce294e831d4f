// At its deadline a batch is FAILED for an operator — unless an earlier, unanswered push did arrive:
// then the national side's receipt settles it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { buildBatches } from '../../../src/sync/batch-builder.ts';
import { pushBatchOnce } from '../../../src/sync/push-batch.ts';
import { createNationalClient, type NationalClient } from '../../../src/exchange/national-client.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { testGate } from '../../support/sender-gate.ts';

let database: TestDatabase;
let sim: RunningSimulator;
let client: NationalClient;
const logger = createLogger('silent');

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 60, seed: 31 });
  sim = await startTestSimulator(database.url);
  client = createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, senderCode: 'H55.19', gate: testGate() });
  const pki = await getTestPki();
  const { period } = await approvedChanges(database.db, 4);
  await buildBatches(period, { db: database.db, logger, signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 2, maxBytes: 1 << 24,
    deadlineMs: 60_000, actor: systemPrincipal('H55') });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  await database?.drop();
});

describe('a batch at its deadline', () => {
  it('settles from the receipt when an earlier push arrived unanswered, and fails when nothing arrived', async () => {
    const [landed, lost] = await database.db.prisma.batch.findMany({ orderBy: { batchId: 'asc' } });
    await client.pushBatch({ batchId: landed!.batchId, senderCode: landed!.senderCode, period: landed!.period, recordCount: landed!.recordCount,
      payloadSha256: landed!.payloadSha256, payload: Buffer.from(landed!.payload), signature: Buffer.from(landed!.signature) });
    // Both were tried once without an answer, and their deadline has passed.
    await database.db.prisma.batch.updateMany({ data: { state: 'UNKNOWN', attempts: 1, deadlineAt: new Date(Date.now() - 1000) } });
    const deps = { db: database.db, client, logger, owner: 'test', leaseMs: 5_000 };
    expect(await pushBatchOnce(deps, landed!.batchId)).toMatchObject({ kind: 'settled', state: 'ACCEPTED' });
    expect(await pushBatchOnce(deps, lost!.batchId)).toMatchObject({ kind: 'settled', state: 'FAILED' });
    expect(await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId: lost!.batchId } })).toMatchObject({ state: 'FAILED', lastErrorCode: 'NATIONAL_UNAVAILABLE' });
    expect((await sim.sim.stats()).pushAttempts).toBe(1); // the lost one was not sent past its deadline
  });
});
