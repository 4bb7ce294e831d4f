// Prisma's and PostgreSQL's error codes, mapped to ours once; nothing else looks at them.
import { GatewayError } from '../errors.ts';

export function translateStoreError(err: unknown): GatewayError | undefined {
  const e = err as { code?: string; name?: string; meta?: unknown };
  switch (e?.code) {
    case 'P2002': case '23505': return new GatewayError('CONFLICT', { reason: 'UNIQUE' });
    case 'P2025': return new GatewayError('NOT_FOUND');
    case 'P2034': case '40001': case '40P01': return new GatewayError('CONFLICT', { reason: 'SERIALIZATION' });
    case 'ECONNREFUSED': case '57P01': case 'P1001': return new GatewayError('DATABASE_UNAVAILABLE');
    default: return undefined;
  }
}
