import { describe, expect, it } from 'vitest';
import { callWithRetry, pushOnce, pushWithRetry, type RetryLoopOptions } from '../../../src/exchange/push-with-retry.ts';
import type { NationalClient, GetBatchOutcome, PushOutcome } from '../../../src/exchange/national-client.ts';
import type { BatchSubmission, Receipt } from '../../../src/exchange/national-contract.ts';

const receipt: Receipt = { receiptId: 'r-1', batchId: 'B-1', status: 'ACCEPTED', accepted: 1, rejected: [], receivedAt: '2026-11-30T16:00:00Z' };
const batch: BatchSubmission = {
  batchId: 'B-1', senderCode: 'H55.19', period: '2026-11', recordCount: 1, payloadSha256: '0'.repeat(64),
  payload: Buffer.from('<x/>'), signature: Buffer.from([0x30]),
};

/** A scripted stand-in for the transport: each call takes the next scripted outcome. */
function scripted(pushes: PushOutcome[], lookups: GetBatchOutcome[] = []) {
  const calls: string[] = [];
  const sent: Buffer[] = [];
  const client: NationalClient = {
    async pushBatch(b) { calls.push('push'); sent.push(b.payload); return pushes.shift() ?? { kind: 'transient', code: 'NATIONAL_UNAVAILABLE' }; },
    async getBatch() { calls.push('get'); return lookups.shift() ?? { kind: 'transient', code: 'NATIONAL_UNAVAILABLE' }; },
    async getRecord() { throw new Error('not used'); },
    async ackTransfer() { throw new Error('not used'); },
    tokenFetches: 0,
    async close() {},
  };
  return { client, calls, sent };
}

function clock(deadlineAfterMs = 60_000): RetryLoopOptions & { slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    slept, deadline: t + deadlineAfterMs, baseMs: 100, maxMs: 1_000, factor: 2, jitter: () => 1,
    now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; },
  };
}

describe('pushWithRetry', () => {
  it('returns the receipt of a first success', async () => {
    const s = scripted([{ kind: 'success', status: 200, value: receipt }]);
    const r = await pushWithRetry(s.client, batch, clock());
    expect(r).toEqual({ ok: true, receipt, replayed: false, resolvedByLookup: false, attempts: 1 });
  });

  it('retries transient failures with backoff, honouring Retry-After, sending the same bytes', async () => {
    const s = scripted([
      { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 503 },
      { kind: 'transient', code: 'RATE_LIMITED', status: 429, retryAfterMs: 5_000 },
      { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 502 },
      { kind: 'replayed', status: 200, value: receipt },
    ]);
    const c = clock();
    const r = await pushWithRetry(s.client, batch, c);
    expect(r).toMatchObject({ ok: true, replayed: true, attempts: 4 });
    expect(c.slept).toEqual([100, 5_000, 400]);
    expect(new Set(s.sent).size).toBe(1);
  });

  it('on an unknown outcome asks GET /batches first: 200 there is done', async () => {
    const s = scripted([{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }], [{ kind: 'success', status: 200, value: receipt }]);
    const r = await pushWithRetry(s.client, batch, clock());
    expect(r).toEqual({ ok: true, receipt, replayed: false, resolvedByLookup: true, attempts: 2 });
    expect(s.calls).toEqual(['push', 'get']);
  });

  it('on an unknown outcome asks GET /batches first: 404 there means send again', async () => {
    const s = scripted(
      [{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }, { kind: 'success', status: 200, value: receipt }],
      [{ kind: 'notFound', status: 404, code: 'NOT_FOUND' }],
    );
    const r = await pushWithRetry(s.client, batch, clock());
    expect(r).toMatchObject({ ok: true, resolvedByLookup: false, attempts: 2 });
    expect(s.calls).toEqual(['push', 'get', 'push']);
  });

  it('keeps asking while the lookup itself fails, never pushing blind', async () => {
    const s = scripted(
      [{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }],
      [{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }, { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 503 },
        { kind: 'success', status: 200, value: receipt }],
    );
    const r = await pushWithRetry(s.client, batch, clock());
    expect(r).toMatchObject({ ok: true, resolvedByLookup: true, attempts: 4 });
    expect(s.calls).toEqual(['push', 'get', 'get', 'get']);
  });

  it('stops at once on a permanent refusal', async () => {
    const s = scripted([{ kind: 'permanent', code: 'IDEMPOTENCY_MISMATCH', alert: true, status: 409 }]);
    const r = await pushWithRetry(s.client, batch, clock());
    expect(r).toMatchObject({ ok: false, reason: 'PERMANENT', attempts: 1, unresolved: false, outcome: { code: 'IDEMPOTENCY_MISMATCH' } });
  });

  it('gives up at the deadline, saying whether the batch may have arrived', async () => {
    const s = scripted([{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }], []);
    const r = await pushWithRetry(s.client, batch, clock(3_000));
    expect(r).toMatchObject({ ok: false, reason: 'DEADLINE', unresolved: true });
    expect(s.calls[0]).toBe('push');
    expect(s.calls.slice(1).every((c) => c === 'get')).toBe(true);
  });
});

describe('pushOnce (one attempt, as a BullMQ processor makes it)', () => {
  it('pushes directly without a lookup', async () => {
    const s = scripted([{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }]);
    expect(await pushOnce(s.client, batch, false)).toMatchObject({ outcome: { kind: 'unknown' }, lookUpNext: true, resolvedByLookup: false });
    expect(s.calls).toEqual(['push']);
  });
  it('looks up first and stops there when the batch arrived', async () => {
    const s = scripted([], [{ kind: 'replayed', status: 200, value: receipt }]);
    expect(await pushOnce(s.client, batch, true)).toEqual({
      outcome: { kind: 'success', status: 200, value: receipt }, resolvedByLookup: true, lookUpNext: false,
    });
    expect(s.calls).toEqual(['get']);
  });
  it('keeps the question open when the lookup fails', async () => {
    const s = scripted([], [{ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }]);
    expect(await pushOnce(s.client, batch, true)).toMatchObject({ outcome: { kind: 'transient' }, lookUpNext: true });
    expect(s.calls).toEqual(['get']);
  });
});

describe('callWithRetry', () => {
  it('repeats an idempotent call on unknown and transient outcomes until answered', async () => {
    const outcomes = [
      { kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' },
      { kind: 'transient', code: 'NATIONAL_UNAVAILABLE' },
      { kind: 'notFound', status: 404, code: 'RECORD_NOT_FOUND' },
    ] as const;
    let i = 0;
    const r = await callWithRetry(async () => outcomes[i++]!, clock());
    expect(r).toMatchObject({ ok: true, attempts: 3, outcome: { kind: 'notFound' } });
  });
  it('stops on a token refused twice', async () => {
    const r = await callWithRetry(async () => ({ kind: 'tokenExpired', status: 401 }) as const, clock());
    expect(r).toMatchObject({ ok: false, reason: 'TOKEN_REJECTED', attempts: 1 });
  });
});
