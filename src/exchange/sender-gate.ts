// One in-flight limit and one "not before" per sender, shared by every process of the province
// (NATIONAL_API.md §4): all API, worker and CLI processes with the same Redis and key prefix.
//
//   - Slots: a sorted set `{prefix}:national:{sender}:in-flight` of holders scored by the end of their
//     lease. Taking a slot (Lua, atomic) first drops expired leases, so the slot of a crashed holder
//     comes back after at most `leaseMs`; a live holder renews its lease every `leaseMs / 3` for as long
//     as its call runs, however long the national side takes to answer.
//   - Not before: `{prefix}:national:{sender}:not-before`, the moment before which no call of the
//     sender may start, raised (never lowered) by every Retry-After, from any answer, the token
//     endpoint's included. Each HTTP attempt checks it just before it starts.
// Times are Redis's own clock (TIME inside the scripts), so processes on hosts with different clocks
// agree. Waiting for a free slot polls with a short jittered delay: contention is a handful of
// processes, and a holder's slot is released by its own process, which needs no wake-up.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface SenderGateOptions {
  readonly redisUrl: string;
  /** QUEUE_PREFIX: deployments (or test runs) sharing one Redis keep apart. */
  readonly keyPrefix: string;
  readonly senderCode: string;
  /** NATIONAL_MAX_IN_FLIGHT. */
  readonly maxInFlight: number;
  /** How long a slot outlives its holder's last renewal (default 15 s). */
  readonly leaseMs?: number;
  /** Longest wait for a free slot before the call is given up as transient (default 60 s). */
  readonly acquireTimeoutMs?: number;
}

/** What stops a call from starting now. */
export type GateRefusal =
  | { readonly reason: 'NOT_BEFORE'; readonly waitMs: number }
  | { readonly reason: 'NO_SLOT'; readonly waitedMs: number }
  | { readonly reason: 'COORDINATION_UNAVAILABLE'; readonly error: string };

export interface SenderGate {
  /** Runs `fn` holding one of the sender's slots, or says why it could not start. */
  withSlot<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; refusal: GateRefusal }>;
  /** Milliseconds until calls of the sender may start again (0: now). */
  notBeforeWait(): Promise<number>;
  /** A Retry-After of `ms` concerns the sender: no call of it starts before then. */
  holdOff(ms: number): Promise<void>;
  close(): Promise<void>;
}

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local nb = tonumber(redis.call('GET', KEYS[2]) or '0')
if nb > now then return {0, nb - now} end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return {0, -1} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return {1, 0}`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

const WAIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nb = tonumber(redis.call('GET', KEYS[1]) or '0')
if nb > now then return nb - now end
return 0`;

const HOLD_OFF = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local nb = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > nb then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return untilMs`;

const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_ACQUIRE_TIMEOUT_MS = 60_000;
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function senderGateKeys(keyPrefix: string, senderCode: string): { inFlight: string; notBefore: string } {
  const base = `${keyPrefix}:national:${senderCode}`;
  return { inFlight: `${base}:in-flight`, notBefore: `${base}:not-before` };
}

export function createSenderGate(o: SenderGateOptions): SenderGate {
  if (!Number.isInteger(o.maxInFlight) || o.maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${o.maxInFlight}`);
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const acquireTimeoutMs = o.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  const keys = senderGateKeys(o.keyPrefix, o.senderCode);
  // Its own connection: a call must fail fast (not queue) while Redis is away.
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
  redis.on('error', () => { /* reported through the refusals of the calls */ });
  const holderBase = randomUUID();
  let holders = 0;

  const unavailable = (err: unknown): { ok: false; refusal: GateRefusal } =>
    ({ ok: false, refusal: { reason: 'COORDINATION_UNAVAILABLE', error: err instanceof Error ? err.message : String(err) } });

  return {
    async withSlot(fn) {
      const holder = `${holderBase}:${(holders += 1)}`;
      const started = performance.now();
      let delay = POLL_MIN_MS;
      for (;;) {
        let answer: [number, number];
        try {
          answer = (await redis.eval(TAKE, 2, keys.inFlight, keys.notBefore, o.maxInFlight, leaseMs, holder)) as [number, number];
        } catch (err) {
          return unavailable(err);
        }
        if (answer[0] === 1) break;
        if (answer[1] > 0) return { ok: false, refusal: { reason: 'NOT_BEFORE', waitMs: answer[1] } };
        const waited = performance.now() - started;
        if (waited >= acquireTimeoutMs) return { ok: false, refusal: { reason: 'NO_SLOT', waitedMs: Math.round(waited) } };
        await sleep(delay / 2 + Math.random() * delay);
        delay = Math.min(POLL_MAX_MS, delay * 2);
      }
      const renewal = setInterval(() => {
        redis.eval(RENEW, 1, keys.inFlight, leaseMs, holder).catch(() => { /* the lease runs out; the next take drops it */ });
      }, Math.max(100, Math.floor(leaseMs / 3)));
      try {
        return { ok: true, value: await fn() };
      } finally {
        clearInterval(renewal);
        await redis.zrem(keys.inFlight, holder).catch(() => { /* expires with its lease */ });
      }
    },
    async notBeforeWait() {
      return Number(await redis.eval(WAIT, 1, keys.notBefore));
    },
    async holdOff(ms) {
      const wait = Math.ceil(ms);
      if (!(wait > 0)) return;
      await redis.eval(HOLD_OFF, 1, keys.notBefore, wait);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
