// What the national side can see of a sender's §4 obligations, counted per sender over every
// connection (GET /_sim/stats → `senders`):
//   - in flight: calls of the sender being processed at once, token calls included (a token call is
//     the client's, counted for each sender code of the client); `maxInFlight` is the peak, `excess`
//     the calls that arrived while `limit` (NATIONAL_MAX_IN_FLIGHT, default 4) were already in flight;
//   - Retry-After: after an answer with a Retry-After, every call of the sender that arrives before it
//     has elapsed is early; `early.maxMs` is how early the earliest came. A call arriving within
//     `graceMs` of that answer set out before the sender could know of it (the answer was still on its
//     way, or being shared with the sender's other processes): it is counted apart as `racing`, with
//     the longest such lag, not as early.
// Times are the simulator's monotonic clock (performance.now()); an HTTP-date Retry-After is turned
// into a delay against the simulator's `now()` when it is answered.

export interface SenderCounters {
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly calls: number;
  readonly excess: number;
  readonly retryAfterAnswers: number;
  readonly early: { readonly count: number; readonly maxMs: number };
  readonly racing: { readonly count: number; readonly maxLagMs: number };
}

export interface SenderWatch {
  /** A call of `senders` arrived; the returned function is called once when it is over. */
  enter(senders: readonly string[]): () => void;
  /** An answer to `senders` carried `Retry-After: value` (delta-seconds or HTTP-date). */
  retryAfter(senders: readonly string[], value: string, nowMs: number): void;
  snapshot(): Readonly<Record<string, SenderCounters>>;
  reset(): void;
}

interface Entry {
  inFlight: number;
  maxInFlight: number;
  calls: number;
  excess: number;
  retryAfterAnswers: number;
  answeredAt: number;
  notBefore: number;
  early: { count: number; maxMs: number };
  racing: { count: number; maxLagMs: number };
}

/** Retry-After in ms, or undefined when unreadable (the client would not honour it either). */
function delayOf(value: string, nowMs: number): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function createSenderWatch(o: { limit?: number; graceMs?: number } = {}): SenderWatch {
  const limit = o.limit ?? 4;
  const graceMs = o.graceMs ?? 100;
  let senders = new Map<string, Entry>();
  const entry = (code: string): Entry => {
    let e = senders.get(code);
    if (!e) {
      e = { inFlight: 0, maxInFlight: 0, calls: 0, excess: 0, retryAfterAnswers: 0, answeredAt: -Infinity, notBefore: -Infinity,
        early: { count: 0, maxMs: 0 }, racing: { count: 0, maxLagMs: 0 } };
      senders.set(code, e);
    }
    return e;
  };

  return {
    enter(codes) {
      const at = performance.now();
      const entries = codes.map((code) => {
        const e = entry(code);
        e.calls += 1;
        if (e.inFlight >= limit) e.excess += 1;
        e.inFlight += 1;
        e.maxInFlight = Math.max(e.maxInFlight, e.inFlight);
        if (at < e.notBefore) {
          const lag = at - e.answeredAt;
          if (lag < graceMs) {
            e.racing.count += 1;
            e.racing.maxLagMs = Math.max(e.racing.maxLagMs, Math.round(lag));
          } else {
            e.early.count += 1;
            e.early.maxMs = Math.max(e.early.maxMs, Math.round(e.notBefore - at));
          }
        }
        return e;
      });
      let left = false;
      return () => {
        if (left) return;
        left = true;
        for (const e of entries) e.inFlight -= 1;
      };
    },
    retryAfter(codes, value, nowMs) {
      const delay = delayOf(value, nowMs);
      if (delay === undefined) return;
      const at = performance.now();
      for (const code of codes) {
        const e = entry(code);
        e.retryAfterAnswers += 1;
        e.answeredAt = at;
        e.notBefore = Math.max(e.notBefore, at + delay);
      }
    },
    snapshot() {
      return Object.fromEntries([...senders].map(([code, e]) => [code, {
        inFlight: e.inFlight, maxInFlight: e.maxInFlight, calls: e.calls, excess: e.excess, retryAfterAnswers: e.retryAfterAnswers,
        early: { ...e.early }, racing: { ...e.racing },
      }]));
    },
    reset() {
      // Calls in flight stay counted; everything else starts again.
      const kept = new Map<string, Entry>();
      for (const [code, e] of senders) {
        kept.set(code, { ...e, maxInFlight: e.inFlight, calls: 0, excess: 0, retryAfterAnswers: 0, early: { count: 0, maxMs: 0 }, racing: { count: 0, maxLagMs: 0 } });
      }
      senders = kept;
    },
  };
}
