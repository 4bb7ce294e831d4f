import { describe, expect, it } from 'vitest';
import {
  backoffCeiling, decideRetry, parseRetryAfter, toBackoffStrategy, type RetryDecision, type RetryOptions, type RetryOutcome,
} from '../../../src/exchange/retry-policy.ts';
import { outcomeError } from '../../../src/exchange/national-errors.ts';

const T0 = Date.parse('2026-11-30T16:00:00Z');
const base: RetryOptions = {
  now: T0, deadline: T0 + 3_600_000, baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: () => 0.5,
};

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 7 ', 7_000],
    [5, 5_000],
    [new Date(T0 + 30_000).toUTCString(), 30_000],
    [new Date(T0 - 30_000).toUTCString(), 0],
    ['-3', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ] as const)('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, T0)).toBe(expected);
  });
});

describe('backoffCeiling', () => {
  it.each([[1, 1_000], [2, 2_000], [3, 4_000], [6, 32_000], [7, 60_000], [50, 60_000], [5000, 60_000], [0, 1_000]])(
    'attempt %i → %i', (attempt, ceiling) => {
      expect(backoffCeiling(attempt, base)).toBe(ceiling);
    },
  );
});

describe('decideRetry', () => {
  const cases: Array<[string, RetryOutcome, number, Partial<RetryOptions>, RetryDecision]> = [
    ['success is an answer', { kind: 'success' }, 1, {}, { retry: false, reason: 'ANSWERED' }],
    ['replay is an answer', { kind: 'replayed' }, 1, {}, { retry: false, reason: 'ANSWERED' }],
    ['not found is an answer', { kind: 'notFound' }, 1, {}, { retry: false, reason: 'ANSWERED' }],
    ['permanent stops', { kind: 'permanent' }, 1, {}, { retry: false, reason: 'PERMANENT' }],
    ['token refused again stops', { kind: 'tokenExpired' }, 1, {}, { retry: false, reason: 'TOKEN_REJECTED' }],
    ['transient, attempt 1: half of 1 s', { kind: 'transient' }, 1, {}, { retry: true, delayMs: 500, checkFirst: false }],
    ['transient, attempt 3: half of 4 s', { kind: 'transient' }, 3, {}, { retry: true, delayMs: 2_000, checkFirst: false }],
    ['transient, attempt 20: capped', { kind: 'transient' }, 20, {}, { retry: true, delayMs: 30_000, checkFirst: false }],
    ['full jitter can be zero', { kind: 'transient' }, 4, { jitter: () => 0 }, { retry: true, delayMs: 0, checkFirst: false }],
    ['jitter near one stays under the ceiling', { kind: 'transient' }, 2, { jitter: () => 0.9999 }, { retry: true, delayMs: 1_999, checkFirst: false }],
    ['out-of-range jitter is clamped', { kind: 'transient' }, 1, { jitter: () => 7 }, { retry: true, delayMs: 1_000, checkFirst: false }],
    ['unknown retries, resolving first', { kind: 'unknown' }, 1, {}, { retry: true, delayMs: 500, checkFirst: true }],
    ['Retry-After ms longer than backoff wins', { kind: 'transient', retryAfterMs: 20_000 }, 1, {}, { retry: true, delayMs: 20_000, checkFirst: false }],
    ['backoff longer than Retry-After wins', { kind: 'transient', retryAfterMs: 1_000 }, 6, {}, { retry: true, delayMs: 16_000, checkFirst: false }],
    ['Retry-After in seconds (raw)', { kind: 'transient', retryAfter: '90' }, 1, {}, { retry: true, delayMs: 90_000, checkFirst: false }],
    ['Retry-After as HTTP-date (raw)', { kind: 'transient', retryAfter: new Date(T0 + 45_000).toUTCString() }, 1, {}, { retry: true, delayMs: 45_000, checkFirst: false }],
    ['Retry-After above maxMs is still honoured', { kind: 'transient', retryAfterMs: 300_000 }, 1, {}, { retry: true, delayMs: 300_000, checkFirst: false }],
    ['Retry-After cut to maxRetryAfterMs', { kind: 'transient', retryAfterMs: 7_200_000 }, 1, { deadline: T0 + 86_400_000 }, { retry: true, delayMs: 3_600_000, checkFirst: false }],
    ['Retry-After cap is configurable', { kind: 'transient', retryAfterMs: 600_000 }, 1, { maxRetryAfterMs: 120_000 }, { retry: true, delayMs: 120_000, checkFirst: false }],
    ['Retry-After beyond the deadline stops', { kind: 'transient', retryAfterMs: 120_000 }, 1, { deadline: T0 + 60_000 }, { retry: false, reason: 'DEADLINE' }],
    ['backoff beyond the deadline is shortened', { kind: 'transient' }, 10, { deadline: T0 + 5_000 }, { retry: true, delayMs: 5_000, checkFirst: false }],
    ['at the deadline: stop', { kind: 'transient' }, 1, { deadline: T0 }, { retry: false, reason: 'DEADLINE' }],
    ['past the deadline: stop even if unknown', { kind: 'unknown' }, 1, { deadline: T0 - 1 }, { retry: false, reason: 'DEADLINE' }],
    ['max attempts reached', { kind: 'transient' }, 5, { maxAttempts: 5 }, { retry: false, reason: 'MAX_ATTEMPTS' }],
    ['below max attempts', { kind: 'transient' }, 4, { maxAttempts: 5 }, { retry: true, delayMs: 4_000, checkFirst: false }],
    ['permanent wins over deadline', { kind: 'permanent' }, 1, { deadline: T0 - 1 }, { retry: false, reason: 'PERMANENT' }],
  ];
  it.each(cases)('%s', (_name, outcome, attempt, overrides, expected) => {
    expect(decideRetry(outcome, attempt, { ...base, ...overrides })).toEqual(expected);
  });

  it('draws jitter once per decision', () => {
    let calls = 0;
    decideRetry({ kind: 'transient' }, 2, { ...base, jitter: () => (calls += 1, 0.3) });
    expect(calls).toBe(1);
  });
});

describe('toBackoffStrategy (BullMQ)', () => {
  const strategy = toBackoffStrategy({
    baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: () => 0.5,
    deadlineOf: (job) => (job?.timestamp ?? 0) + 600_000, clock: () => T0,
  });
  const job = { timestamp: T0 - 1_000 };

  it('returns the delay for a transient outcome carried by the error', () => {
    const err = outcomeError({ kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 503 });
    expect(strategy(3, 'national', err, job)).toBe(2_000);
  });
  it('honours Retry-After carried by the error', () => {
    const err = outcomeError({ kind: 'transient', code: 'RATE_LIMITED', status: 429, retryAfterMs: 30_000 });
    expect(strategy(1, 'national', err, job)).toBe(30_000);
  });
  it('returns -1 (do not retry) for a permanent outcome', () => {
    const err = outcomeError({ kind: 'permanent', code: 'BAD_SIGNATURE', alert: true, status: 422 });
    expect(strategy(1, 'national', err, job)).toBe(-1);
  });
  it('returns -1 past the job deadline', () => {
    const err = outcomeError({ kind: 'transient', code: 'NATIONAL_UNAVAILABLE' });
    expect(strategy(1, 'national', err, { timestamp: T0 - 700_000 })).toBe(-1);
  });
  it('treats an error without an outcome as transient', () => {
    expect(strategy(2, 'national', new Error('boom'), job)).toBe(1_000);
  });
});
