// The client obligations of NATIONAL_API.md §4 for callers that are not BullMQ workers (the CLI, the
// demo): the same payload bytes sent on every attempt, transient failures retried with backoff and
// jitter honouring Retry-After until the deadline, and an unknown outcome (no answer after sending)
// resolved with GET /batches/{batchId} before the batch is sent again: 200 there means done, 404 means
// send again. Sleep and clock are injected, so tests run without waiting.
import type { BatchSubmission, Receipt } from './national-contract.ts';
import type { NationalClient } from './national-client.ts';
import type { NationalFailure, NationalOutcome } from './national-errors.ts';
import { decideRetry, type RetryOptions, type StopReason } from './retry-policy.ts';
import { systemMs } from '../clock.ts';

export interface RetryLoopOptions {
  /** Give up at this moment (epoch ms); the batch is then failed for an operator, never dropped. */
  readonly deadline: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  readonly maxRetryAfterMs?: number;
  readonly maxAttempts?: number;
  readonly jitter?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after each attempt with what happened and what comes next (for logs). */
  readonly onRetry?: (info: { attempt: number; outcome: NationalOutcome['kind']; delayMs: number; checkFirst: boolean }) => void;
}

export type PushResult =
  | {
    readonly ok: true; readonly receipt: Receipt; readonly replayed: boolean;
    /** The receipt came from GET /batches/{id} after an unanswered push. */
    readonly resolvedByLookup: boolean; readonly attempts: number;
  }
  | {
    readonly ok: false; readonly reason: StopReason; readonly outcome: NationalFailure; readonly attempts: number;
    /** True when the last push got no answer and no lookup settled it: the national side may hold it. */
    readonly unresolved: boolean;
  };

export type CallResult<T> =
  | { readonly ok: true; readonly outcome: Extract<NationalOutcome<T>, { kind: 'success' | 'replayed' | 'notFound' }>; readonly attempts: number }
  | { readonly ok: false; readonly reason: StopReason; readonly outcome: NationalFailure; readonly attempts: number };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function policy(o: RetryLoopOptions, now: number): RetryOptions {
  return {
    now, deadline: o.deadline, baseMs: o.baseMs ?? 1_000, maxMs: o.maxMs ?? 60_000, factor: o.factor ?? 2,
    jitter: o.jitter ?? Math.random,
    ...(o.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: o.maxRetryAfterMs } : {}),
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
  };
}

function isAnswer<T>(o: NationalOutcome<T>): o is Extract<NationalOutcome<T>, { kind: 'success' | 'replayed' | 'notFound' }> {
  return o.kind === 'success' || o.kind === 'replayed' || o.kind === 'notFound';
}

export interface PushStep {
  /** What this attempt came to (a failed lookup counts as the attempt's failure). */
  readonly outcome: NationalOutcome<Receipt>;
  /** The receipt came from GET /batches/{id}, not from the push. */
  readonly resolvedByLookup: boolean;
  /** The batch may have arrived without an answer: look it up before sending it again. */
  readonly lookUpNext: boolean;
}

/**
 * One attempt of §4. With `lookUpFirst` (the previous attempt got no answer), GET /batches/{id}
 * first: 200 there is the receipt, 404 means the push is sent now, and a failed lookup leaves the
 * question open. A BullMQ processor calls this once per job attempt (e.g. with
 * `lookUpFirst = attemptsMade > 0`, a lookup being cheap) and lets the backoff strategy decide.
 */
export async function pushOnce(client: NationalClient, batch: BatchSubmission, lookUpFirst: boolean): Promise<PushStep> {
  if (lookUpFirst) {
    const looked = await client.getBatch(batch.batchId);
    if (looked.kind === 'success' || looked.kind === 'replayed') {
      return { outcome: { kind: 'success', status: looked.status, value: looked.value }, resolvedByLookup: true, lookUpNext: false };
    }
    if (looked.kind !== 'notFound') {
      // A lookup is safe to repeat: "unknown" here is only "not now".
      const outcome: NationalOutcome<Receipt> = looked.kind === 'unknown' ? { ...looked, kind: 'transient' } : looked;
      return { outcome, resolvedByLookup: false, lookUpNext: true };
    }
  }
  const outcome = await client.pushBatch(batch);
  return { outcome, resolvedByLookup: false, lookUpNext: outcome.kind === 'unknown' };
}

/** Pushes one batch until it is received, refused for good, or the deadline passes. */
export async function pushWithRetry(client: NationalClient, batch: BatchSubmission, o: RetryLoopOptions): Promise<PushResult> {
  const now = o.now ?? systemMs;
  const sleep = o.sleep ?? defaultSleep;
  let lookUp = false;
  for (let attempt = 1; ; attempt += 1) {
    const step = await pushOnce(client, batch, lookUp);
    const { outcome } = step;
    lookUp = step.lookUpNext;
    if (outcome.kind === 'success' || outcome.kind === 'replayed') {
      return { ok: true, receipt: outcome.value, replayed: outcome.kind === 'replayed', resolvedByLookup: step.resolvedByLookup, attempts: attempt };
    }
    const failure: NationalFailure = outcome.kind === 'notFound'
      ? { kind: 'permanent', code: 'NATIONAL_REJECTED', alert: true, status: 404, details: { reason: 'unexpected 404' } }
      : outcome;
    const decision = decideRetry(failure, attempt, policy(o, now()));
    if (!decision.retry) {
      return { ok: false, reason: decision.reason, outcome: failure, attempts: attempt, unresolved: lookUp };
    }
    o.onRetry?.({ attempt, outcome: outcome.kind, delayMs: decision.delayMs, checkFirst: lookUp });
    await sleep(decision.delayMs);
  }
}

/**
 * Repeats an idempotent call (GET /batches, GET /records, the transfer ack — §7 "retried like a
 * push") until it is answered, refused for good, or the deadline passes. Being idempotent, an
 * unknown outcome is simply tried again.
 */
export async function callWithRetry<T>(call: () => Promise<NationalOutcome<T>>, o: RetryLoopOptions): Promise<CallResult<T>> {
  const now = o.now ?? systemMs;
  const sleep = o.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await call();
    if (isAnswer(outcome)) return { ok: true, outcome, attempts: attempt };
    const failure: NationalFailure = outcome;
    const decision = decideRetry(failure, attempt, policy(o, now()));
    if (!decision.retry) return { ok: false, reason: decision.reason, outcome: failure, attempts: attempt };
    o.onRetry?.({ attempt, outcome: outcome.kind, delayMs: decision.delayMs, checkFirst: false });
    await sleep(decision.delayMs);
  }
}
