// The database handle: Prisma (through the pg driver adapter) for ordinary work, and a pg pool
// for what Prisma does slowly or not at all (COPY, advisory locks, migrations).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Prisma = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export function openDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const max = options.poolSize ?? 10;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max }) });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Math.max(2, Math.ceil(max / 2)) });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    close: () => (closing ??= Promise.all([prisma.$disconnect(), pool.end()]).then(() => undefined)),
  };
}

/** True when the database answers a trivial query (readiness). */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
