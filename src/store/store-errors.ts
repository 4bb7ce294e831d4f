// Prisma's and PostgreSQL's error codes, mapped to ours once; nothing else looks at them.
import { GatewayError } from '../errors.ts';

interface StoreErrorShape {
  code?: string;
  meta?: { driverAdapterError?: { cause?: { code?: string; originalCode?: string } } };
}

/** The SQLSTATE of a pg error, or of the PostgreSQL error inside a Prisma error (driver adapter). */
function sqlState(e: StoreErrorShape): string | undefined {
  const cause = e.meta?.driverAdapterError?.cause;
  return cause?.originalCode ?? cause?.code ?? (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith('P') ? e.code : undefined);
}

// Class 22 "data exception" (22021 a NUL or bad byte, 22P05 \u0000 in jsonb, 22001 too long, 22003 out of
// range, 22007/22008 bad date…) and 54000 (a value too large for an index) are bad input that got past
// the boundary: the caller's fault, answered 4xx, and the transaction has rolled back.
function isDataError(state: string | undefined): boolean {
  return state !== undefined && (state.startsWith('22') || state === '54000');
}

// pg says "the database did not answer" only in words (no code): a connection that could not be opened
// (pg.Client: "timeout expired") or taken from the pool in time (connectionTimeoutMillis), or one the
// server dropped mid-query.
const UNREACHABLE = /^(Connection terminated due to connection timeout|timeout exceeded when trying to connect|timeout expired|Connection terminated unexpectedly)$/;

export function translateStoreError(err: unknown): GatewayError | undefined {
  const e = err as StoreErrorShape | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (err instanceof Error && UNREACHABLE.test(err.message)) return new GatewayError('DATABASE_UNAVAILABLE', { reason: 'NO_ANSWER' });
  const state = sqlState(e);
  if (isDataError(state)) return new GatewayError('DATA_NOT_STORABLE', { sqlState: state });
  switch (e.code) {
    case 'P2000': case 'P2020': return new GatewayError('DATA_NOT_STORABLE', { reason: e.code === 'P2000' ? 'TOO_LONG' : 'OUT_OF_RANGE' });
    case 'P2002': case '23505': return new GatewayError('CONFLICT', { reason: 'UNIQUE' });
    case 'P2025': return new GatewayError('NOT_FOUND');
    case 'P2034': case '40001': case '40P01': return new GatewayError('CONFLICT', { reason: 'SERIALIZATION' });
    case 'ECONNREFUSED': case '57P01': case 'P1001': return new GatewayError('DATABASE_UNAVAILABLE');
    default:
      if (state === '23505') return new GatewayError('CONFLICT', { reason: 'UNIQUE' });
      if (state === '40001' || state === '40P01') return new GatewayError('CONFLICT', { reason: 'SERIALIZATION' });
      return undefined;
  }
}
