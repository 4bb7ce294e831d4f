// The sender gate on the real Redis: one in-flight limit and one "not before" per sender, shared by
// every gate with the same prefix (as by the processes of one province), slots of a crashed holder
// coming back with their lease, and a live holder's lease renewed however long its call takes.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenderGate, senderGateKeys, type SenderGate } from '../../../src/exchange/sender-gate.ts';
import { newGatePrefix, TEST_REDIS_URL } from '../../support/sender-gate.ts';

let redis: Redis;
const opened: SenderGate[] = [];
const gate = (keyPrefix: string, o: { maxInFlight?: number; leaseMs?: number; acquireTimeoutMs?: number } = {}): SenderGate => {
  const g = createSenderGate({ redisUrl: TEST_REDIS_URL, keyPrefix, senderCode: 'H55.19', maxInFlight: o.maxInFlight ?? 4, ...o });
  opened.push(g);
  return g;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await Promise.all(opened.map((g) => g.close()));
  await redis.quit();
});

describe('sender gate', () => {
  it('holds at most maxInFlight calls at once across gates of the same prefix, and lets every call through', async () => {
    const prefix = newGatePrefix();
    const gates = [gate(prefix), gate(prefix), gate(prefix)];
    let now = 0;
    let max = 0;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => gates[i % 3]!.withSlot(async () => {
      now += 1;
      max = Math.max(max, now);
      await sleep(5 + (i % 4) * 3);
      now -= 1;
      return i;
    })));
    expect(results.every((r, i) => r.ok && r.value === i)).toBe(true);
    expect(max).toBe(4);
    expect(await redis.zcard(senderGateKeys(prefix, 'H55.19').inFlight)).toBe(0);
  });

  it('frees the slot when the call throws', async () => {
    const g = gate(newGatePrefix(), { maxInFlight: 1, acquireTimeoutMs: 200 });
    await expect(g.withSlot(async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(await g.withSlot(async () => 'next')).toEqual({ ok: true, value: 'next' });
  });

  it('keeps senders and prefixes apart', async () => {
    const a = gate(newGatePrefix(), { maxInFlight: 1 });
    const b = gate(newGatePrefix(), { maxInFlight: 1, acquireTimeoutMs: 200 });
    const held = a.withSlot(() => sleep(300));
    expect(await b.withSlot(async () => 'free')).toEqual({ ok: true, value: 'free' });
    await held;
  });

  it('a Retry-After holds every gate of the sender until it ends; a shorter one never lowers it', async () => {
    const prefix = newGatePrefix();
    const [one, two] = [gate(prefix), gate(prefix)];
    await one.holdOff(1_000);
    await one.holdOff(100);
    const refused = await two.withSlot(async () => 'called');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.refusal.reason).toBe('NOT_BEFORE');
    expect(refused.refusal.reason === 'NOT_BEFORE' && refused.refusal.waitMs).toBeGreaterThan(800);
    expect(await two.notBeforeWait()).toBeGreaterThan(800);
    await sleep(1_050);
    expect(await two.notBeforeWait()).toBe(0);
    expect(await two.withSlot(async () => 'called')).toEqual({ ok: true, value: 'called' });
  });

  it('gives back the slots of a crashed holder when their lease ends', async () => {
    const prefix = newGatePrefix();
    const keys = senderGateKeys(prefix, 'H55.19');
    const [sec, micro] = await redis.time();
    const expiry = Number(sec) * 1000 + Math.floor(Number(micro) / 1000) + 400;
    await redis.zadd(keys.inFlight, expiry, 'dead-1', expiry, 'dead-2');
    const g = gate(prefix, { maxInFlight: 2 });
    const started = performance.now();
    expect(await g.withSlot(async () => 'after the lease')).toEqual({ ok: true, value: 'after the lease' });
    expect(performance.now() - started).toBeGreaterThan(300);
  });

  it('renews a live holder’s lease: a long call keeps its slot past leaseMs', async () => {
    const prefix = newGatePrefix();
    const holder = gate(prefix, { maxInFlight: 1, leaseMs: 300 });
    const other = gate(prefix, { maxInFlight: 1, leaseMs: 300, acquireTimeoutMs: 700 });
    let otherRanAt = -1;
    const started = performance.now();
    const long = holder.withSlot(() => sleep(1_000));
    await sleep(50);
    const refused = await other.withSlot(async () => {
      otherRanAt = performance.now() - started;
    });
    expect(refused).toMatchObject({ ok: false, refusal: { reason: 'NO_SLOT' } });
    expect(otherRanAt).toBe(-1);
    await long;
  });

  it('refuses as COORDINATION_UNAVAILABLE when Redis cannot be reached, without calling', async () => {
    const g = createSenderGate({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: newGatePrefix(), senderCode: 'H55.19', maxInFlight: 4 });
    let called = false;
    const r = await g.withSlot(async () => {
      called = true;
    });
    expect(r).toMatchObject({ ok: false, refusal: { reason: 'COORDINATION_UNAVAILABLE' } });
    expect(called).toBe(false);
    await g.close();
  });
});
