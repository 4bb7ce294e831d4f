// A pg pool that outlives the server dropping one of its idle connections (a restart, a failover,
// pg_terminate_backend). pg-pool re-emits such an error on the pool, and an 'error' event nobody
// listens to ends the process. The pool has already discarded the broken client; the next query
// opens a new connection, and a query that was running gets its own error.
import pg from 'pg';

/** Longest wait for a database connection unless configured (DATABASE_CONNECT_TIMEOUT_MS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export type PoolErrorHandler = (err: Error) => void;

const DATE_OID = 1082;

/**
 * A DATE is a calendar day, not an instant: read it as midnight UTC of that day, the form the rest of the
 * code uses (`new Date('YYYY-MM-DDT00:00:00Z')`). pg's default makes it midnight in the PROCESS time zone,
 * so under TZ=Asia/Ho_Chi_Minh '2027-03-01' came back as 2027-02-28T17:00Z and a change's effective date
 * — and with it its content hash — changed by a day.
 */
export const calendarDayTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === DATE_OID && format !== 'binary'
    ? (value: string) => new Date(`${value}T00:00:00Z`)
    : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

export function createPgPool(config: pg.PoolConfig, onIdleError?: PoolErrorHandler): pg.Pool {
  const pool = new pg.Pool({ types: calendarDayTypes, ...config });
  pool.on('error', (err) => onIdleError?.(err));
  return pool;
}
