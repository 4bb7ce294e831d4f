// A pg pool that outlives the server dropping one of its idle connections (a restart, a failover,
// pg_terminate_backend). pg-pool re-emits such an error on the pool, and an 'error' event nobody
// listens to ends the process. The pool has already discarded the broken client; the next query
// opens a new connection, and a query that was running gets its own error.
import pg from 'pg';

/** Longest wait for a database connection unless configured (DATABASE_CONNECT_TIMEOUT_MS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export type PoolErrorHandler = (err: Error) => void;

export function createPgPool(config: pg.PoolConfig, onIdleError?: PoolErrorHandler): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', (err) => onIdleError?.(err));
  return pool;
}
