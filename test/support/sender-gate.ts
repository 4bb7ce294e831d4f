// A sender gate (src/exchange/sender-gate.ts) on the shared test Redis, under a key prefix of its own,
// so a test's Retry-After or slots never reach another test. Clients that must share one sender's
// limit (as the processes of one province do) pass the same `keyPrefix`. The keys expire by themselves.
import { randomBytes } from 'node:crypto';
import { createSenderGate, type SenderGate } from '../../src/exchange/sender-gate.ts';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function newGatePrefix(): string {
  return `test-gate-${randomBytes(6).toString('hex')}`;
}

export function testGate(o: { senderCode?: string; maxInFlight?: number; keyPrefix?: string; redisUrl?: string } = {}): SenderGate {
  return createSenderGate({
    redisUrl: o.redisUrl ?? TEST_REDIS_URL, keyPrefix: o.keyPrefix ?? newGatePrefix(),
    senderCode: o.senderCode ?? 'H55.19', maxInFlight: o.maxInFlight ?? 4,
  });
}
