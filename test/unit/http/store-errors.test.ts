// PostgreSQL and Prisma errors that are the caller's fault answer 4xx, never 500.
import { describe, expect, it } from 'vitest';
import { translateStoreError } from '../../../src/store/store-errors.ts';
import { toGatewayError } from '../../../src/http/error-handler.ts';

const prismaWith = (originalCode: string) => ({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode } } } });

describe('translateStoreError', () => {
  it.each([
    ['NUL in text (pg)', { code: '22021' }, 'DATA_NOT_STORABLE', 422],
    ['\\u0000 in jsonb (Prisma)', prismaWith('22P05'), 'DATA_NOT_STORABLE', 422],
    ['value too long', prismaWith('22001'), 'DATA_NOT_STORABLE', 422],
    ['out of range', { code: '22003' }, 'DATA_NOT_STORABLE', 422],
    ['index row too large', { code: '54000' }, 'DATA_NOT_STORABLE', 422],
    ['Prisma P2000', { code: 'P2000' }, 'DATA_NOT_STORABLE', 422],
    ['unique violation', prismaWith('23505'), 'CONFLICT', 409],
    ['serialization failure', { code: '40001' }, 'CONFLICT', 409],
    ['database down', { code: 'ECONNREFUSED' }, 'DATABASE_UNAVAILABLE', 503],
    ['no connection in time (pool)', new Error('Connection terminated due to connection timeout'), 'DATABASE_UNAVAILABLE', 503],
    ['no connection in time (client)', new Error('timeout expired'), 'DATABASE_UNAVAILABLE', 503],
    ['connection dropped mid-query', new Error('Connection terminated unexpectedly'), 'DATABASE_UNAVAILABLE', 503],
  ])('%s → %s', (_what, err, code, status) => {
    const ge = translateStoreError(err)!;
    expect(ge.code).toBe(code);
    expect(ge.statusCode).toBe(status);
    expect(JSON.stringify(ge.toJSON())).not.toMatch(/invalid byte sequence|null character/);
  });

  it('leaves anything else to INTERNAL_ERROR, with no detail in the answer', () => {
    expect(translateStoreError(new Error('boom'))).toBeUndefined();
    const ge = toGatewayError(new Error('relation "secret_table" is broken'));
    expect(ge.toJSON()).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String), details: null });
  });
});
