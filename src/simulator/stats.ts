// Counters of one simulator run (GET /_sim/stats, reset with DELETE /_sim/stats): calls per route,
// push attempts, answers per status, concurrency (now and the peak), the X-Request-Ids seen (to prove
// they are new per attempt) and what the fault injector did. Stored counts come from storage.ts.
import type { RouteName } from './faults.ts';

const KEPT_REQUEST_IDS = 10_000;

export interface RequestTrace {
  readonly route: RouteName;
  readonly requestId: string | null;
  readonly senderCode: string | null;
  readonly idempotencyKey: string | null;
  readonly hasBearer: boolean;
}

export interface StatsSnapshot {
  readonly calls: Readonly<Partial<Record<RouteName, number>>>;
  readonly pushAttempts: number;
  readonly tokensIssued: number;
  readonly answers: Readonly<Record<string, number>>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly requestIds: { readonly seen: number; readonly distinct: number };
  readonly recent: readonly RequestTrace[];
}

export interface SimStats {
  call(trace: RequestTrace): void;
  tokenIssued(): void;
  answered(status: number | 'reset'): void;
  enter(): () => void;
  snapshot(recentCount?: number): StatsSnapshot;
  reset(): void;
}

export function createSimStats(): SimStats {
  let calls: Partial<Record<RouteName, number>> = {};
  let answers: Record<string, number> = {};
  let tokensIssued = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let seenIds = 0;
  let distinct = new Set<string>();
  let recent: RequestTrace[] = [];

  return {
    call(trace) {
      calls[trace.route] = (calls[trace.route] ?? 0) + 1;
      if (trace.requestId !== null) {
        seenIds += 1;
        if (distinct.size < KEPT_REQUEST_IDS) distinct.add(trace.requestId);
      }
      recent.push(trace);
      if (recent.length > KEPT_REQUEST_IDS) recent = recent.slice(-KEPT_REQUEST_IDS / 2);
    },
    tokenIssued() {
      tokensIssued += 1;
    },
    answered(status) {
      const key = String(status);
      answers[key] = (answers[key] ?? 0) + 1;
    },
    enter() {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight -= 1;
      };
    },
    snapshot(recentCount = 100) {
      return {
        calls: { ...calls },
        pushAttempts: calls.pushBatch ?? 0,
        tokensIssued,
        answers: { ...answers },
        inFlight,
        maxInFlight,
        requestIds: { seen: seenIds, distinct: distinct.size },
        recent: recent.slice(-recentCount),
      };
    },
    reset() {
      calls = {};
      answers = {};
      tokensIssued = 0;
      maxInFlight = inFlight;
      seenIds = 0;
      distinct = new Set();
      recent = [];
    },
  };
}
