// Shared by the delivery-guarantee tests: a real PostgreSQL database per test, seeded and with changes
// approved through the real workflow, signed batches built by the real builder, the national simulator
// over HTTP on 127.0.0.1 (its data in schema national_sim of the same database), and the environment
// of a `csdl-gateway worker` child process pointed at all of it. Nothing is mocked.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { clearProcessOutput, stopAllProcesses, type WorkerEnv } from '../../support/worker-process.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { buildBatches } from '../../../src/sync/batch-builder.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { PUSH_TOPIC } from '../../../src/store/batches.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator, SimulatorOptions } from '../../../src/simulator/index.ts';

export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Scenario {
  readonly database: TestDatabase;
  readonly sim: RunningSimulator;
  /** A BullMQ key prefix no other test uses. */
  readonly queuePrefix: string;
  /** The worker's whole configuration, as environment variables. */
  env(overrides?: WorkerEnv): WorkerEnv;
  /** `count` approved changes in batches of `perBatch` records; the change and batch ids. */
  batches(count: number, perBatch: number): Promise<{ changeIds: string[]; batchIds: string[] }>;
  /** What the national side holds of these batches and of the persons of these changes. */
  national(batchIds: string[], changeIds: string[]): Promise<{ batches: number; accepted: number; rejected: number; records: number; receipts: Map<string, string> }>;
  /** Gateway-side state counts of the given changes, e.g. { SYNCED: 12 }. */
  changeStates(ids: string[]): Promise<Record<string, number>>;
  /** One line per batch: id, state, attempts, lease — for failure messages. */
  describe(): Promise<string>;
  /** Stops the simulator, drops the database, removes the prefix's keys from `redisUrl`. */
  close(redisUrl?: string): Promise<void>;
}

export async function createScenario(persons = 60, simOptions: Partial<SimulatorOptions> = {}): Promise<Scenario> {
  const database = await createTestDatabase('gw_guarantee');
  let sim: RunningSimulator | undefined;
  try {
    await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: persons, seed: 11 });
    sim = await startTestSimulator(database.url, simOptions);
  } catch (err) {
    await database.drop();
    throw err;
  }
  const running = sim;
  const queuePrefix = `guarantee-${randomBytes(5).toString('hex')}`;

  const env = (overrides: WorkerEnv = {}): WorkerEnv => ({
    DATABASE_URL: database.url,
    REDIS_URL: SHARED_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    NATIONAL_BASE_URL: running.url,
    NATIONAL_TOKEN_URL: `${running.url}/token`,
    NATIONAL_CLIENT_ID: CLIENT.clientId,
    NATIONAL_CLIENT_SECRET: CLIENT.clientSecret,
    SENDER_CODE: 'H55.19',
    PROVINCE_CODE: 'H55',
    WORKER_LOCK_MS: '1500',
    BATCH_LEASE_MS: '2000',
    WORKER_CONCURRENCY: '2',
    OUTBOX_RELAY_INTERVAL_MS: '200',
    NATIONAL_RETRY_BASE_MS: '50',
    NATIONAL_RETRY_MAX_MS: '500',
    NATIONAL_RESPONSE_TIMEOUT_MS: '15000',
    NATIONAL_RETRY_DEADLINE_HOURS: '1',
    LOG_LEVEL: 'info',
    // The scheduled jobs (month-end sync, reconciliation) would add calls of their own; these tests are about the queue path.
    SCHEDULES_ENABLED: 'false',
    ...overrides,
  });

  const batches = async (count: number, perBatch: number) => {
    const pki = await getTestPki();
    const { period, changeIds } = await approvedChanges(database.db, count);
    const built = await buildBatches(period, {
      db: database.db, logger: createLogger('silent'), signer: pki.identity('org-signer'), senderCode: 'H55.19',
      maxRecords: perBatch, maxBytes: 1 << 24, deadlineMs: 30 * 60_000, actor: systemPrincipal('H55'),
    });
    if (built.refused.length) throw new Error(`fixture: ${built.refused.length} changes refused by the builder`);
    return { changeIds, batchIds: built.batches.map((b) => b.batchId) };
  };

  const national = async (batchIds: string[], changeIds: string[]) => {
    const changes = await database.db.prisma.profileChange.findMany({ where: { id: { in: changeIds } }, select: { personalId: true } });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const totals = await client.query<{ n: string; accepted: string; rejected: string }>(
        `SELECT count(*) AS n, coalesce(sum((receipt->>'accepted')::int), 0) AS accepted, coalesce(sum(json_array_length(receipt->'rejected')), 0) AS rejected
         FROM national_sim.batches WHERE batch_id = ANY($1::text[])`, [batchIds]);
      const records = await client.query<{ n: string }>('SELECT count(*) AS n FROM national_sim.records WHERE personal_id = ANY($1::text[])',
        [changes.map((c) => c.personalId)]);
      const receipts = await client.query<{ batch_id: string; receipt_id: string }>(
        "SELECT batch_id, receipt->>'receiptId' AS receipt_id FROM national_sim.batches WHERE batch_id = ANY($1::text[])", [batchIds]);
      const t = totals.rows[0]!;
      return {
        batches: Number(t.n), accepted: Number(t.accepted), rejected: Number(t.rejected), records: Number(records.rows[0]!.n),
        receipts: new Map(receipts.rows.map((r) => [r.batch_id, r.receipt_id])),
      };
    } finally {
      await client.end();
    }
  };

  const changeStates = async (ids: string[]) => {
    const rows = await database.db.prisma.profileChange.groupBy({ by: ['state'], where: { id: { in: ids } }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.state, r._count]));
  };

  const describe = async () => {
    const rows = await database.db.prisma.batch.findMany({ orderBy: { batchId: 'asc' } });
    const outbox = await database.db.prisma.outbox.count({ where: { topic: PUSH_TOPIC, doneAt: null } });
    const stats = await running.sim.stats();
    return `${rows.map((b) => `${b.batchId} ${b.state} attempts=${b.attempts} lease=${b.leaseOwner ?? '-'}@${b.leaseUntil?.toISOString() ?? '-'} err=${b.lastErrorCode ?? '-'}`).join('; ')}`
      + ` | outbox pending=${outbox} | sim calls=${JSON.stringify(stats.calls)} inFlight=${stats.inFlight} stored=${JSON.stringify(stats.stored)}`;
  };

  let closed = false;
  const close = async (redisUrl = SHARED_REDIS_URL) => {
    if (closed) return;
    closed = true;
    await removeQueueKeys(redisUrl, queuePrefix).catch(() => { /* a private Redis may be gone already */ });
    await running.close();
    await database.drop();
  };

  return { database, sim: running, queuePrefix, env, batches, national, changeStates, describe, close };
}

/** Deletes every key under `prefix:` (the queue of one test) from a Redis. */
export async function removeQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

/** Exactly-once, as seen from both sides, for batches `batchIds` carrying changes `changeIds`. */
export async function expectDeliveredExactlyOnce(s: Scenario, changeIds: string[], batchIds: string[]): Promise<void> {
  const db = s.database.db;
  const rows = await db.prisma.batch.findMany({ where: { batchId: { in: batchIds } }, orderBy: { batchId: 'asc' } });
  batchIds = [...batchIds].sort();
  expect(rows.map((b) => [b.batchId, b.state, b.leaseOwner])).toEqual(batchIds.map((id) => [id, 'ACCEPTED', null]));
  expect(await s.changeStates(changeIds)).toEqual({ SYNCED: changeIds.length });
  expect(await db.prisma.outbox.count({ where: { topic: PUSH_TOPIC, key: { in: batchIds }, doneAt: null } })).toBe(0);
  // Each change settled once: one BATCHED → SYNCED event, one receipt recorded per batch.
  expect(await db.prisma.changeEvent.count({ where: { changeId: { in: changeIds }, toState: 'SYNCED' } })).toBe(changeIds.length);
  expect(await db.prisma.auditLog.count({ where: { action: 'BATCH_RECEIPT', entityId: { in: batchIds } } })).toBe(batchIds.length);
  const held = await s.national(batchIds, changeIds);
  expect({ batches: held.batches, accepted: held.accepted, rejected: held.rejected, records: held.records })
    .toEqual({ batches: batchIds.length, accepted: changeIds.length, rejected: 0, records: changeIds.length });
  // The gateway keeps the receipt the national side issued for that batch (never a second one).
  expect(Object.fromEntries(rows.map((b) => [b.batchId, b.receiptId]))).toEqual(Object.fromEntries(batchIds.map((id) => [id, held.receipts.get(id)])));
  // Every person's synced version is the version that was approved.
  const persons = await db.prisma.person.findMany({ where: { changes: { some: { id: { in: changeIds } } } } });
  expect(persons.filter((p) => p.syncedVersion !== p.version).map((p) => p.personalId)).toEqual([]);
}

/**
 * Registers the hooks every guarantee test needs — a scenario for the file, every child process killed
 * after each test even when it failed — and hands the scenario over once it is ready.
 * `redisUrl` names the private Redis whose keys the scenario removes at the end.
 */
export function useScenario(ready: (s: Scenario) => void, redisUrl: () => string | undefined = () => undefined, simOptions: Partial<SimulatorOptions> = {}): void {
  let scenario: Scenario | undefined;
  beforeAll(async () => {
    scenario = await createScenario(60, simOptions);
    ready(scenario);
  });
  beforeEach(() => clearProcessOutput());
  afterEach(async () => {
    await stopAllProcesses();
  });
  afterAll(async () => {
    await stopAllProcesses();
    await scenario?.close(redisUrl());
  });
}
