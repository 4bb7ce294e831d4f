// When to try a national call again, and after how long (NATIONAL_API.md §4, "Client obligations").
// One pure function, no I/O and no clock of its own: the caller passes `now`, the deadline and the
// jitter source, so every decision can be replayed in a table-driven test. The transport knows nothing
// about retrying; `pushWithRetry` (push-with-retry.ts) and the BullMQ adapter below both use this.
//
// Decisions, in order:
//   1. a final answer (success, replay, "not found") stops with ANSWERED;
//   2. a permanent refusal stops with PERMANENT; a token refused again right after a renewal stops
//      with TOKEN_REJECTED (the contract allows one renewal per call);
//   3. past the deadline, or after `maxAttempts`, stop (DEADLINE / MAX_ATTEMPTS);
//   4. otherwise wait: exponential backoff with full jitter, `jitter() * min(maxMs, baseMs * factor^(n-1))`;
//      a `Retry-After` (seconds or HTTP-date) is honoured in full, up to `maxRetryAfterMs`;
//   5. a backoff that would end after the deadline is shortened to end at it (one last try); a
//      Retry-After that ends after the deadline stops with DEADLINE (trying earlier is not allowed);
//   6. an UNKNOWN outcome (no answer after the request was sent) retries with `checkFirst: true`:
//      the caller must ask `GET /batches/{batchId}` before sending the batch again.

import { systemMs } from '../clock.ts';
/** The outcome kinds of national-errors.ts; only the fields the policy reads. */
export type RetryOutcomeKind =
  | 'success' | 'replayed' | 'notFound' | 'transient' | 'permanent' | 'unknown' | 'tokenExpired';

export interface RetryOutcome {
  readonly kind: RetryOutcomeKind;
  /** Already converted from the Retry-After header, when the classifier had the clock. */
  readonly retryAfterMs?: number | undefined;
  /** The raw Retry-After header (seconds or HTTP-date), converted here against `now`. */
  readonly retryAfter?: string | number | undefined;
}

export interface RetryOptions {
  /** Current time, epoch ms. */
  readonly now: number;
  /** Give up when this moment (epoch ms) is reached. */
  readonly deadline: number;
  /** First backoff ceiling. */
  readonly baseMs: number;
  /** Largest backoff ceiling. */
  readonly maxMs: number;
  /** Growth of the ceiling per attempt (2 doubles it). */
  readonly factor: number;
  /** Random source in [0, 1): full jitter takes that fraction of the ceiling. */
  readonly jitter: () => number;
  /** Longest Retry-After honoured; a longer one is cut to this. Default one hour. */
  readonly maxRetryAfterMs?: number;
  /** Stop after this many attempts (default: no limit, only the deadline). */
  readonly maxAttempts?: number;
}

export type StopReason = 'ANSWERED' | 'PERMANENT' | 'TOKEN_REJECTED' | 'DEADLINE' | 'MAX_ATTEMPTS';

export type RetryDecision =
  | { readonly retry: false; readonly reason: StopReason }
  | { readonly retry: true; readonly delayMs: number; readonly checkFirst: boolean };

export const DEFAULT_MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; undefined if unreadable. */
export function parseRetryAfter(value: string | number | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The jitter-free ceiling of attempt `attempt` (1 = after the first failure). */
export function backoffCeiling(attempt: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'factor'>): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = o.baseMs * Math.pow(o.factor, n - 1);
  return Number.isFinite(raw) ? Math.min(o.maxMs, raw) : o.maxMs;
}

/**
 * `attempt` is the number of attempts made so far, including the one that produced `outcome`
 * (1 after the first failure).
 */
export function decideRetry(outcome: RetryOutcome, attempt: number, o: RetryOptions): RetryDecision {
  switch (outcome.kind) {
    case 'success':
    case 'replayed':
    case 'notFound':
      return { retry: false, reason: 'ANSWERED' };
    case 'permanent':
      return { retry: false, reason: 'PERMANENT' };
    case 'tokenExpired':
      return { retry: false, reason: 'TOKEN_REJECTED' };
    case 'transient':
    case 'unknown':
      break;
  }
  const remaining = o.deadline - o.now;
  if (remaining <= 0) return { retry: false, reason: 'DEADLINE' };
  if (o.maxAttempts !== undefined && attempt >= o.maxAttempts) return { retry: false, reason: 'MAX_ATTEMPTS' };

  const jitter = Math.min(Math.max(o.jitter(), 0), 1);
  const backoff = Math.floor(jitter * backoffCeiling(attempt, o));
  const checkFirst = outcome.kind === 'unknown';
  const retryAfter = outcome.retryAfterMs ?? parseRetryAfter(outcome.retryAfter, o.now);
  if (retryAfter !== undefined) {
    const honoured = Math.min(retryAfter, o.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
    if (honoured > remaining) return { retry: false, reason: 'DEADLINE' };
    return { retry: true, delayMs: Math.min(Math.max(honoured, backoff), remaining), checkFirst };
  }
  return { retry: true, delayMs: Math.min(backoff, remaining), checkFirst };
}

// ── BullMQ ─────────────────────────────────────────────────────────────────

/** BullMQ's `settings.backoffStrategy` shape, written structurally so exchange/ does not import bullmq. */
export type BackoffStrategy = (attemptsMade: number, type?: string, err?: Error, job?: BackoffJob) => number;
export interface BackoffJob { readonly timestamp?: number; readonly data?: unknown }

export interface BackoffAdapterOptions extends Omit<RetryOptions, 'now' | 'deadline'> {
  /** The deadline of a job (epoch ms), e.g. its creation time plus the configured delivery window. */
  readonly deadlineOf: (job: BackoffJob | undefined) => number;
  /** How a thrown error maps to an outcome; default: `err.outcome` or `err.details.outcome`, else transient. */
  readonly outcomeOf?: (err: Error | undefined) => RetryOutcome;
  readonly clock?: () => number;
}

/** Reads the outcome a processor attached to the error it threw (`outcomeError` in national-errors.ts puts it in `details.outcome`). */
export function attachedOutcome(err: Error | undefined): RetryOutcome {
  const carrier = err as { outcome?: RetryOutcome; details?: { outcome?: RetryOutcome } } | undefined;
  return carrier?.outcome ?? carrier?.details?.outcome ?? { kind: 'transient' };
}

/**
 * `decideRetry` as a BullMQ backoff strategy: BullMQ calls it with the attempts made so far and the
 * error; -1 tells BullMQ not to retry. For an UNKNOWN outcome the processor itself must look the
 * batch up (GET /batches/{id}) at the start of the next attempt.
 */
export function toBackoffStrategy(options: BackoffAdapterOptions): BackoffStrategy {
  const outcomeOf = options.outcomeOf ?? attachedOutcome;
  const clock = options.clock ?? systemMs;
  return (attemptsMade, _type, err, job) => {
    const decision = decideRetry(outcomeOf(err), attemptsMade, {
      ...options, now: clock(), deadline: options.deadlineOf(job),
    });
    return decision.retry ? decision.delayMs : -1;
  };
}
