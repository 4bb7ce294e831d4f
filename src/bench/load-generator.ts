// A fixed-rate (open-loop) HTTP load generator for API reads: request i is due at start + i/rate whatever
// the earlier answers did, and its latency is measured from that due time, so a slow server cannot hide
// its queueing by slowing the generator down (no coordinated omission). Loopback only.
import { Pool } from 'undici';

export interface LoadOptions {
  /** e.g. http://127.0.0.1:3000 — refused unless the host is 127.0.0.1. */
  origin: string;
  path: (i: number) => string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  connections?: number;
}

export interface LoadResult {
  sent: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  /** Seconds from the first due time to the last answer. */
  elapsedSeconds: number;
  /** Latencies in ms (from the due time), sorted. */
  latencies: number[];
  /** The generator's own lag behind schedule (ms): large values mean the figures are not trustworthy. */
  maxDispatchLagMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function fixedRateLoad(o: LoadOptions): Promise<LoadResult> {
  const url = new URL(o.origin);
  if (url.hostname !== '127.0.0.1') throw new Error(`the load generator only targets 127.0.0.1 (got ${url.hostname})`);
  const pool = new Pool(url.origin, { connections: o.connections ?? 64, pipelining: 1 });
  const total = Math.round(o.rate * o.seconds);
  const intervalMs = 1000 / o.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let next = 0;
  let maxLag = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now() + 20;
  const fire = (i: number, due: number) => {
    const p = pool.request({ method: 'GET', path: o.path(i), headers: o.headers }).then(async (res) => {
      await res.body.dump();
      latencies.push(performance.now() - due);
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 200) ok += 1;
    }, () => { errors += 1; latencies.push(performance.now() - due); });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        const due = start + next * intervalMs;
        maxLag = Math.max(maxLag, now - due);
        fire(next, due);
        next += 1;
      }
      if (next >= total) return resolve();
      const wait = Math.max(0, start + next * intervalMs - performance.now());
      if (wait > 2) setTimeout(tick, wait - 1);
      else setImmediate(tick);
    };
    tick();
  });
  await Promise.all([...pending]);
  const elapsedSeconds = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { sent: total, ok, statuses, errors, elapsedSeconds, latencies, maxDispatchLagMs: maxLag };
}
