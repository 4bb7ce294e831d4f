// The month's schedules, driven by an explicit clock (never a sleep), against real PostgreSQL, Redis
// and the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { runSchedule, type ScheduleDeps } from '../../../src/sync/schedules.ts';
import { registerSchedules, SCHEDULE_QUEUE } from '../../../src/jobs/scheduler.ts';
import { redisConnection } from '../../../src/jobs/queues.ts';
import { createNationalClient, type NationalClient } from '../../../src/exchange/national-client.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { createChange, transitionChange } from '../../../src/store/changes.ts';
import { prepareContent } from '../../../src/http/change-input.ts';
import { approvalWindow, lastDayOfMonth, startOfLocalDay } from '../../../src/domain/working-days.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { testGate } from '../../support/sender-gate.ts';

let database: TestDatabase;
let sim: RunningSimulator;
let client: NationalClient;
let deps: ScheduleDeps;
const vn = (date: string, hour: number) => new Date(startOfLocalDay(date).getTime() + hour * 3_600_000);

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 200, seed: 13 });
  sim = await startTestSimulator(database.url);
  client = createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, senderCode: 'H55.19', gate: testGate() });
  const pki = await getTestPki();
  deps = { db: database.db, logger: createLogger('silent'), client, monthEndHour: 20,
    builder: { signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 10, maxBytes: 1 << 24, deadlineMs: 60_000, actor: systemPrincipal('H55') } };
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  await database?.drop();
});

describe('registration', () => {
  it('keeps one schedule of each kind however many workers register at once, in Vietnam time', async () => {
    const connection = redisConnection('redis://127.0.0.1:6379');
    const prefix = `sched-${randomBytes(4).toString('hex')}`;
    const queues = [new Queue(SCHEDULE_QUEUE, { connection, prefix }), new Queue(SCHEDULE_QUEUE, { connection, prefix })];
    try {
      await Promise.all(queues.map((q) => registerSchedules(q, 20)));
      await registerSchedules(queues[0]!, 20);
      const schedulers = await queues[0]!.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['approval-reminders', 'audit-checkpoint', 'month-end-sync', 'reconciliation']);
      expect(schedulers.every((s) => s.tz === 'Asia/Ho_Chi_Minh')).toBe(true);
      expect(schedulers.find((s) => s.key === 'month-end-sync')!.pattern).toBe('0 20 * * *');
    } finally {
      await queues[0]!.pause();
      await queues[0]!.obliterate({ force: true });
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    }
  });
});

describe('approval reminders', () => {
  it('remind each agency with verified changes on the day the window opens, and only then', async () => {
    const officer = { subject: 'o', role: 'UNIT_OFFICER' as const, agencyCode: 'H55' };
    const persons = await database.db.prisma.person.findMany({ where: { employingAgencyCode: { startsWith: 'H55.06' } }, take: 2 });
    for (const p of persons) {
      const content = prepareContent({ personalId: p.personalId, category: p.category, status: p.status, managingAgencyCode: p.managingAgencyCode,
        employingAgencyCode: p.employingAgencyCode, effectiveDate: null, profile: { ...(p.profile as object), SoDienThoai: '0900000001' } }, '2026-11-01');
      const { fullName: _f, gradeCode: _g, normalized: _n, ...rest } = content;
      const c = await createChange(database.db, officer, { ...rest, personalId: p.personalId, kind: 'CAP_NHAT', state: 'SUBMITTED', attachments: [] });
      await transitionChange(database.db, officer, c.id, () => ({ state: 'VERIFIED', action: 'CHANGE_VERIFY' }));
    }
    const opens = approvalWindow('2026-11').opensAt;
    expect(await runSchedule('approval-reminders', deps, new Date(opens.getTime() - 86_400_000 + 9 * 3_600_000))).toMatchObject({ ran: false });
    const result = await runSchedule('approval-reminders', deps, new Date(opens.getTime() + 8 * 3_600_000));
    expect(result.ran).toBe(true);
    const reminded = (result as { reminders: Array<{ agencyCode: string; pending: number }> }).reminders;
    expect(reminded.reduce((n, r) => n + r.pending, 0)).toBe(2);
    const audit = await database.db.prisma.auditLog.count({ where: { action: 'APPROVAL_REMINDER' } });
    expect(audit).toBe(reminded.length);
  });
});

describe('month-end sync', () => {
  it('builds the batches of everything approved on the last day from the configured hour, not before', async () => {
    await approvedChanges(database.db, 12, { agencyPrefix: 'H55.05' });
    const last = lastDayOfMonth('2026-11');
    expect(await runSchedule('month-end-sync', deps, vn('2026-11-20', 21))).toMatchObject({ ran: false });
    expect(await runSchedule('month-end-sync', deps, vn(last, 19))).toMatchObject({ ran: false });
    const result = await runSchedule('month-end-sync', deps, vn(last, 20));
    expect(result.ran).toBe(true);
    const built = (result as { built: { batches: Array<{ records: number }> } }).built;
    expect(built.batches.reduce((n, b) => n + b.records, 0)).toBe(12);
    expect(await database.db.prisma.outbox.count({ where: { doneAt: null, topic: 'PUSH_BATCH' } })).toBe(built.batches.length);
    // The build's audit rows are vouched for by a checkpoint signed right after it.
    const head = await database.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(await database.db.prisma.auditCheckpoint.findMany({ select: { seq: true, reason: true } })).toEqual([{ seq: head.seq, reason: 'BATCH_BUILD' }]);
  });
});

describe('audit checkpoint', () => {
  it('signs the head of the audit chain daily with the organisation key, and says so when there is no key', async () => {
    const result = await runSchedule('audit-checkpoint', deps, vn('2026-11-20', 23));
    const head = await database.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(result).toEqual({ ran: true, checkpointSeq: head.seq.toString() });
    expect(await database.db.prisma.auditCheckpoint.count({ where: { reason: 'DAILY', seq: head.seq } })).toBe(1);
    expect(await runSchedule('audit-checkpoint', { ...deps, builder: null }, vn('2026-11-20', 23))).toMatchObject({ ran: false });
  });
});

describe('reconciliation', () => {
  it('settles a batch left UNKNOWN from the national side’s receipt, and leaves one it never got', async () => {
    const [held, lost] = await database.db.prisma.batch.findMany({ where: { state: 'BUILT' }, orderBy: { batchId: 'asc' }, take: 2 });
    // The first reached the national side but its answer was lost; the second never arrived.
    const pushed = await client.pushBatch({ batchId: held!.batchId, senderCode: held!.senderCode, period: held!.period, recordCount: held!.recordCount,
      payloadSha256: held!.payloadSha256, payload: Buffer.from(held!.payload), signature: Buffer.from(held!.signature) });
    expect(pushed.kind).toBe('success');
    await database.db.prisma.batch.updateMany({ where: { batchId: { in: [held!.batchId, lost!.batchId] } }, data: { state: 'UNKNOWN', attempts: 1 } });
    const result = await runSchedule('reconciliation', deps, new Date());
    expect(result).toEqual({ ran: true, settled: [held!.batchId] });
    expect((await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId: held!.batchId } })).state).toBe('ACCEPTED');
    expect((await database.db.prisma.batch.findUniqueOrThrow({ where: { batchId: lost!.batchId } })).state).toBe('UNKNOWN');
  });
});
