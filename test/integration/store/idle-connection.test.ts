// The server dropping idle connections (a PostgreSQL restart or failover, an administrator's
// pg_terminate_backend) must not end the process: both pools report it and reconnect on next use.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.ts';
import { createSimStorage, type SimStorage } from '../../../src/simulator/storage.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../../support/database.ts';

let database: TestDatabase;
let db: Db;
const idleErrors: Error[] = [];

beforeAll(async () => {
  database = await createTestDatabase('gw_idle');
  db = openDb(database.url, { poolSize: 2, onIdleError: (err) => idleErrors.push(err) });
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

/** Terminates every session on the test database but the caller's, and waits until they are gone. */
async function terminateSessions(): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

it('survives the server closing idle connections of the gateway pools and reconnects', async () => {
  await db.pool.query('SELECT 1');
  await db.prisma.$queryRaw`SELECT 1`;
  expect(await terminateSessions()).toBeGreaterThanOrEqual(2);
  await until(() => idleErrors.length >= 2);
  expect(idleErrors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
  expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
});

it('survives it in the simulator storage too, including a connection still hanging up after close()', async () => {
  const storage: SimStorage = createSimStorage({ db: database.url, schema: 'sim_idle' });
  await storage.init();
  await storage.findToken('none');
  await terminateSessions();
  await new Promise((r) => setTimeout(r, 100));
  expect(await storage.findToken('none')).toBeUndefined();
  // pool.end() resolves before its clients have hung up; a forced drop right after used to crash the process.
  await storage.close();
  await terminateSessions();
  await new Promise((r) => setTimeout(r, 100));
});
