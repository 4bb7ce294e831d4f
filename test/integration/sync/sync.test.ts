// Every approved change reaches the national side exactly once, through the real pipeline: batch
// building and signing, the outbox, pushBatchOnce with the one retry policy, and the simulator over
// HTTP on loopback with injected faults. Real PostgreSQL, no mocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { syncPeriod, type SyncOptions } from '../../../src/sync/sync-period.ts';
import { createNationalClient } from '../../../src/exchange/national-client.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { rerunBatch } from '../../../src/store/batches.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { testGate } from '../../support/sender-gate.ts';

let database: TestDatabase;
let sim: RunningSimulator;
const logger = createLogger('silent');

async function options(overrides: Partial<SyncOptions> = {}, clientTimeoutMs = 2_000): Promise<SyncOptions> {
  const pki = await getTestPki();
  const client = createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret,
    senderCode: 'H55.19', gate: testGate(), maxInFlight: 4, headersTimeoutMs: clientTimeoutMs, bodyTimeoutMs: clientTimeoutMs });
  return {
    db: database.db, client, logger, leaseMs: 500, maxInFlight: 4, retryBaseMs: 20, retryMaxMs: 300,
    builder: { signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 7, maxBytes: 16 * 1024 * 1024, deadlineMs: 60_000, actor: systemPrincipal('H55') },
    ...overrides,
  };
}

/** What the national side holds: distinct batches, records, and the receipts' totals. */
async function national() {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const batches = await client.query<{ n: string; accepted: string; rejected: string }>(
      "SELECT count(*) AS n, coalesce(sum((receipt->>'accepted')::int), 0) AS accepted, coalesce(sum(json_array_length(receipt->'rejected')), 0) AS rejected FROM national_sim.batches");
    const records = await client.query<{ n: string }>('SELECT count(*) AS n FROM national_sim.records');
    return { batches: Number(batches.rows[0]!.n), accepted: Number(batches.rows[0]!.accepted), rejected: Number(batches.rows[0]!.rejected), records: Number(records.rows[0]!.n) };
  } finally {
    await client.end();
  }
}

async function changeStates(ids: string[]) {
  const rows = await database.db.prisma.profileChange.groupBy({ by: ['state'], where: { id: { in: ids } }, _count: true });
  return Object.fromEntries(rows.map((r) => [r.state, r._count]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 300, seed: 5 });
  // The simulator keeps its own schema in the same test database (it plays another system).
  sim = await startTestSimulator(database.url);
});
afterAll(async () => {
  await sim?.close();
  await database?.drop();
});

describe('month-end sync', () => {
  it('delivers every approved change exactly once through 30% transient errors, resets after storing, timeouts and 429 storms', async () => {
    const { period, changeIds } = await approvedChanges(database.db, 60);
    sim.sim.setFaults({ seed: 7, rules: [
      { action: 'status', status: 503, rate: 0.3, routes: ['pushBatch', 'getBatch'] },
      { action: 'reset-after', rate: 0.2, routes: ['pushBatch'] },
      { action: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', rate: 0.15, routes: ['pushBatch'] },
      { action: 'delay', delayMs: 1_500, rate: 0.1, routes: ['pushBatch'] },
    ] });
    const o = await options({}, 1_000);
    const summary = await syncPeriod(period, o);
    await o.client.close();
    expect(summary.batches.failed).toBe(0);
    expect(summary.records).toEqual({ accepted: 60, rejected: 0 });
    expect(await changeStates(changeIds)).toEqual({ SYNCED: 60 });
    const held = await national();
    expect(held).toMatchObject({ batches: summary.built.length, accepted: 60, rejected: 0, records: 60 });
    const stats = await sim.sim.stats();
    expect(stats.pushAttempts).toBeGreaterThan(summary.built.length); // the faults really happened
    // Every person's synced version is the version that was approved.
    const persons = await database.db.prisma.person.findMany({ where: { changes: { some: { id: { in: changeIds } } } } });
    expect(persons.every((p) => p.syncedVersion === p.version)).toBe(true);
  }, 120_000);

  it('fails a batch refused with 409/422 at once, with the reason, and re-runs it with the same id and bytes', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 422, code: 'BAD_SIGNATURE', times: 1, routes: ['pushBatch'] }] });
    const { period, changeIds } = await approvedChanges(database.db, 3);
    sim.sim.resetStats();
    const o = await options({ builder: { ...(await options()).builder, maxRecords: 10 } });
    const first = await syncPeriod(period, o);
    expect(first.batches.failed).toBe(1);
    expect((await sim.sim.stats()).pushAttempts).toBe(1); // nothing retried blindly
    const failed = await database.db.prisma.batch.findFirstOrThrow({ where: { state: 'FAILED' } });
    expect(failed).toMatchObject({ lastErrorCode: 'BAD_SIGNATURE', attempts: 1 });
    expect(await changeStates(changeIds)).toEqual({ BATCHED: 3 });
    const alert = await database.db.prisma.auditLog.findFirst({ where: { action: 'BATCH_FAILED', entityId: failed.batchId } });
    expect(alert).not.toBeNull();

    await rerunBatch(database.db, { subject: 'operator', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' }, failed.batchId, new Date(Date.now() + 60_000));
    const second = await syncPeriod(period, o);
    await o.client.close();
    expect(second.built).toHaveLength(0);
    const rerun = await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId: failed.batchId } });
    expect(rerun).toMatchObject({ state: 'ACCEPTED', payloadSha256: failed.payloadSha256, rerunCount: 1 });
    expect(Buffer.from(rerun.payload).equals(Buffer.from(failed.payload))).toBe(true);
    expect(await changeStates(changeIds)).toEqual({ SYNCED: 3 });
    const link = await database.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'BATCH_RERUN', entityId: failed.batchId } });
    expect(JSON.parse(link.details!)).toMatchObject({ failedAuditSeq: alert!.seq.toString(), rerun: 1 });
  }, 60_000);

  it('sends records the national side rejects back to their agency with the code and message', async () => {
    sim.sim.setFaults({ rules: [] });
    const { period, changeIds } = await approvedChanges(database.db, 2);
    // The national side already holds a newer version of the first person: STALE_VERSION.
    const first = await database.db.prisma.profileChange.findUniqueOrThrow({ where: { id: changeIds[0]! } });
    const person = await database.db.prisma.person.findUniqueOrThrow({ where: { personalId: first.personalId } });
    await sim.sim.preloadRecord({ version: 99, holderCode: person.employingAgencyCode, hoSo: {
      SoDinhDanh: person.personalId, MaDonViQuanLy: person.managingAgencyCode, MaDonViSuDung: person.employingAgencyCode,
      PhanLoai: person.category, TrangThai: person.status, SoYeuLyLich: person.profile as never,
      PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: 'H55.19', ThoiGian: '2026-01-30T10:00:00+07:00', SoHieuChungThu: '01', MaBamBienBan: '0'.repeat(64) }],
    } });
    const o = await options();
    const summary = await syncPeriod(period, o);
    await o.client.close();
    expect(summary.records).toEqual({ accepted: 1, rejected: 1 });
    expect(summary.rejections).toEqual({ STALE_VERSION: 1 });
    const rejected = await database.db.prisma.profileChange.findUniqueOrThrow({ where: { id: changeIds[0]! } });
    expect(rejected).toMatchObject({ state: 'REJECTED_BY_NATIONAL', rejectionCode: 'STALE_VERSION' });
    expect(rejected.rejectionMessage).toBeTruthy();
  }, 60_000);
});
