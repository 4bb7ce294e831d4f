// Two attempts at the same batch can both get a receipt (a pusher whose lease ran out while its push
// was still on the wire, and the pusher that took the batch over and got the replayed receipt). When
// both settle at the same moment the batch must still be settled once: one BATCHED → SYNCED event per
// change, one BATCH_RECEIPT audit row. Real PostgreSQL, two concurrent transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScenario, type Scenario } from './fixture.ts';
import { leaseBatch, recordReceipt } from '../../../src/store/batches.ts';

let s: Scenario;

beforeAll(async () => {
  s = await createScenario(20);
});
afterAll(async () => {
  await s?.close();
});

describe('twin attempts settling one batch at once', () => {
  it('record the receipt once', async () => {
    const db = s.database.db;
    const { changeIds, batchIds } = await s.batches(4, 4);
    const batchId = batchIds[0]!;
    expect(await leaseBatch(db, batchId, 'pusher-1', 1_000)).not.toBeNull();
    const receipt = { receiptId: 'RCPT-1', status: 'ACCEPTED' as const, receivedAt: new Date().toISOString(), rejected: [], raw: { receiptId: 'RCPT-1' } };
    const results = await Promise.all([
      recordReceipt(db, batchId, { ...receipt, replayed: false }),
      recordReceipt(db, batchId, { ...receipt, replayed: true }),
    ]);
    expect(results.map((r) => r.accepted).sort()).toEqual([0, 4]);
    expect(await db.prisma.changeEvent.count({ where: { changeId: { in: changeIds }, toState: 'SYNCED' } })).toBe(4);
    expect(await db.prisma.auditLog.count({ where: { action: 'BATCH_RECEIPT', entityId: batchId } })).toBe(1);
    expect(await db.prisma.batch.findUniqueOrThrow({ where: { batchId } })).toMatchObject({ state: 'ACCEPTED', receiptId: 'RCPT-1', leaseOwner: null });
    expect(await s.changeStates(changeIds)).toEqual({ SYNCED: 4 });
  }, 60_000);
});
