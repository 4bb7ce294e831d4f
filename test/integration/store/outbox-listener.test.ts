// Outbox work wakes the relay at commit (LISTEN/NOTIFY) instead of at its next poll: the relay here
// polls every 10 minutes, so a job in the queue within seconds can only come from a notification.
// The listener's own connection may be dropped by the server: it reconnects and hears again.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, adminUrl, testDatabaseUrl, type TestDatabase } from '../../support/database.ts';
import {
  addOutbox, completeOutbox, listenOutbox, OUTBOX_LISTENER_APP, reopenOutbox, type OutboxListener,
} from '../../../src/store/outbox.ts';
import { startRelay, type Relay } from '../../../src/jobs/outbox-relay.ts';
import { createOutboxQueue, outboxJobId, redisConnection } from '../../../src/jobs/queues.ts';
import { createLogger } from '../../../src/logger.ts';

const TOPIC = 'test.listen';
const LONG_INTERVAL_MS = 600_000;

let database: TestDatabase;
const prefix = `listen-${randomBytes(5).toString('hex')}`;
const connection = redisConnection('redis://127.0.0.1:6379');
const queue = createOutboxQueue(connection, prefix);
let relay: Relay | undefined;
let listener: OutboxListener | undefined;

beforeAll(async () => {
  database = await createTestDatabase('gw_listen');
});
afterEach(async () => {
  await listener?.close();
  await relay?.stop();
  listener = undefined;
  relay = undefined;
});
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  connection.disconnect();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}

const addRow = (key: string) => database.db.prisma.$transaction((tx) => addOutbox(tx, TOPIC, key, { deadline: Date.now() + 3_600_000 }, new Date()));

/** Runs `fn` on a connection to the server's `postgres` database. */
async function onAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
const listenerSessions = () => onAdmin(async (admin) => Number((await admin.query<{ n: string }>(
  'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [database.name, OUTBOX_LISTENER_APP])).rows[0]!.n));
const terminateListener = () => onAdmin(async (admin) => Number((await admin.query<{ n: string }>(
  'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
  [database.name, OUTBOX_LISTENER_APP])).rows[0]!.n));

describe('outbox notifications', () => {
  it('wake the relay: a committed row is in the queue within seconds, not at the next poll', async () => {
    const r = startRelay({ db: database.db, queue, logger: createLogger('silent') }, LONG_INTERVAL_MS);
    relay = r;
    let notified = 0;
    listener = await listenOutbox(database.url, () => { notified += 1; r.wake(); });
    await sleep(300); // the relay's first pass is over: from now on only a wake relays

    const key = `k-${randomBytes(4).toString('hex')}`;
    await addRow(key);
    expect(await until(async () => (await queue.getJob(outboxJobId(TOPIC, key))) !== undefined)).toBe(true);
    // The relay's own markDispatched does not notify (it would wake the relay forever).
    await sleep(300);
    expect(notified).toBe(1);

    // A reopened row (an operator's re-run) wakes it too.
    await database.db.prisma.$transaction((tx) => completeOutbox(tx, TOPIC, key, new Date()));
    await (await queue.getJob(outboxJobId(TOPIC, key)))!.remove();
    expect(notified).toBe(1);
    await database.db.prisma.$transaction((tx) => reopenOutbox(tx, TOPIC, key, new Date()));
    expect(await until(async () => (await queue.getJob(outboxJobId(TOPIC, key))) !== undefined)).toBe(true);
    expect(notified).toBe(2);
  });

  it('are sent at commit only, once per transaction', async () => {
    let notified = 0;
    listener = await listenOutbox(database.url, () => { notified += 1; });
    await expect(database.db.prisma.$transaction(async (tx) => {
      await addOutbox(tx, TOPIC, `rolled-back-${randomBytes(4).toString('hex')}`, {}, new Date());
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    await database.db.prisma.$transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await addOutbox(tx, TOPIC, `many-${i}-${randomBytes(4).toString('hex')}`, {}, new Date());
    });
    expect(await until(() => notified >= 1)).toBe(true);
    await sleep(200);
    expect(notified).toBe(1);
  });
});

describe('the outbox listener', () => {
  it('survives its connection being terminated and hears notifications again after reconnecting', async () => {
    let notified = 0;
    const errors: Error[] = [];
    listener = await listenOutbox(database.url, () => { notified += 1; }, (err) => errors.push(err));
    expect(await listenerSessions()).toBe(1);

    expect(await terminateListener()).toBe(1);
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(errors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
    // Back after its delay; the reconnect wakes the relay once for what it may have missed.
    expect(await until(async () => (await listenerSessions()) === 1 && notified === 1)).toBe(true);

    await addRow(`after-${randomBytes(4).toString('hex')}`);
    expect(await until(() => notified === 2)).toBe(true);
  });

  it('stops reconnecting once closed', async () => {
    const errors: Error[] = [];
    const l = await listenOutbox(database.url, () => {}, (err) => errors.push(err));
    expect(await terminateListener()).toBe(1);
    expect(await until(() => errors.length > 0)).toBe(true);
    await l.close();
    await sleep(1_500);
    expect(await listenerSessions()).toBe(0);
  });

  it('starts even when the database cannot be reached, and says so', async () => {
    const errors: Error[] = [];
    const l = await listenOutbox(testDatabaseUrl(`gw_missing_${randomBytes(4).toString('hex')}`), () => {}, (err) => errors.push(err));
    expect(errors.map((e) => (e as Error & { code?: string }).code)).toEqual(['3D000']);
    await l.close();
  });
});
