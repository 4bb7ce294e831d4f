// The database handle: Prisma (through the pg driver adapter) for ordinary work, and a pg pool
// for what Prisma does slowly or not at all (COPY, advisory locks, migrations).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { createPgPool, DEFAULT_CONNECT_TIMEOUT_MS, type PoolErrorHandler } from './pg-pool.ts';
import { systemClock, type Clock } from '../clock.ts';

export type Prisma = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  /**
   * The gateway's clock: every time the store writes or compares (leases, outbox availability, state
   * timestamps) comes from it, never from PostgreSQL's now(), so a skew between the two machines cannot
   * change a rule's outcome. The composition root passes the same clock to the services.
   */
  readonly clock: Clock;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  readonly poolSize?: number;
  /** Told when the server drops an idle connection (the pools reconnect on their own). */
  readonly onIdleError?: PoolErrorHandler;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Longest wait for a connection (opening one, or a free one of the pool): a PostgreSQL that accepts and
   * never answers, or a pool held by stuck work, then fails the request with DATABASE_UNAVAILABLE
   * instead of holding it until the operating system gives up on the socket.
   */
  readonly connectTimeoutMs?: number;
}

/** The same connections seen through another clock (a test's, or the composition root's). */
export function withClock(db: Db, clock: Clock): Db {
  return db.clock === clock ? db : { prisma: db.prisma, pool: db.pool, clock, close: () => db.close() };
}

export function openDb(databaseUrl: string, options: OpenDbOptions = {}): Db {
  const max = options.poolSize ?? 10;
  const onIdleError = options.onIdleError ?? (() => {});
  const connectionTimeoutMillis = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // Prisma's default of 5 s per interactive transaction is a speed limit, not a rule: on a loaded machine a
  // province's agency import or a receipt of 1,000 records can take longer, and must not then fail.
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max, connectionTimeoutMillis }, { onPoolError: onIdleError }),
    transactionOptions: { timeout: 120_000, maxWait: 30_000 },
  });
  const pool = createPgPool({ connectionString: databaseUrl, max: Math.max(2, Math.ceil(max / 2)), connectionTimeoutMillis }, onIdleError);
  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    clock: options.clock ?? systemClock,
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
