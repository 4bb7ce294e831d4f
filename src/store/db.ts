// The database handle: Prisma (through the pg driver adapter) for ordinary work, and a pg pool
// for what Prisma does slowly or not at all (COPY, advisory locks, migrations).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { createPgPool, DEFAULT_CONNECT_TIMEOUT_MS, type PoolErrorHandler } from './pg-pool.ts';

export type Prisma = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  readonly poolSize?: number;
  /** Told when the server drops an idle connection (the pools reconnect on their own). */
  readonly onIdleError?: PoolErrorHandler;
  /**
   * Longest wait for a connection (opening one, or a free one of the pool): a PostgreSQL that accepts and
   * never answers, or a pool held by stuck work, then fails the request with DATABASE_UNAVAILABLE
   * instead of holding it until the operating system gives up on the socket.
   */
  readonly connectTimeoutMs?: number;
}


export function openDb(databaseUrl: string, options: OpenDbOptions = {}): Db {
  const max = options.poolSize ?? 10;
  const onIdleError = options.onIdleError ?? (() => {});
  const connectionTimeoutMillis = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max, connectionTimeoutMillis }, { onPoolError: onIdleError }) });
  const pool = createPgPool({ connectionString: databaseUrl, max: Math.max(2, Math.ceil(max / 2)), connectionTimeoutMillis }, onIdleError);
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
