// Each integration test file gets its own real PostgreSQL database, migrated from prisma/migrations,
// and drops it afterwards. Nothing is mocked.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/store/migrate.ts';
import { openDb, type Db } from '../../src/store/db.ts';

/**
 * The day seeded test provinces are made as of: fixed, so that which persons a seed makes (their ages,
 * statuses, the agencies drawn after them) never depends on the day the suite runs.
 */
export const SEED_TODAY = '2026-10-01';

export const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function testDatabaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a test database, with whatever sessions it still has (FORCE). */
export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A fresh name and URL for a database the code under test creates itself (the demo); `drop()` removes it. */
export function scratchDatabase(prefix: string): { name: string; url: string; drop(): Promise<void> } {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  return { name, url: testDatabaseUrl(name), drop: () => dropDatabase(name) };
}

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'gw_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const url = testDatabaseUrl(name);
  await ensureDatabase(url);
  await migrate(url);
  const db = openDb(url, { poolSize: 4 });
  return {
    url, name, db,
    drop: async () => {
      await db.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // Give pools a moment to hang up before forcing: a session killed by FORCE raises an error
        // in whichever client still held it.
        for (let i = 0; i < 20; i++) {
          const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]!.n === '0') break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await client.end();
      }
      await dropDatabase(name);
    },
  };
}
