// The one place production code reads the time. Services, jobs and routes take a `Clock` as a
// dependency; tests pass a fixed or stepped clock so that no test depends on the day it runs.
// A unit test (test/unit/clock-seam.test.ts) fails when `Date.now()` or `new Date()` without
// arguments appears anywhere else in src/.

export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's clock: the only production caller of `Date.now()`. */
export const systemClock: Clock = { now: () => new Date(Date.now()) };

/** A clock that always answers the same instant (tests, replays). */
export function fixedClock(at: Date | string): Clock {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`fixedClock: not an instant: ${String(at)}`);
  return { now: () => new Date(ms) };
}

/** A clock tests can move: `set()` jumps, `advance()` steps forward. */
export interface SteppedClock extends Clock {
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function steppedClock(start: Date | string): SteppedClock {
  let ms = typeof start === 'string' ? Date.parse(start) : start.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`steppedClock: not an instant: ${String(start)}`);
  return {
    now: () => new Date(ms),
    set: (at) => { ms = typeof at === 'string' ? Date.parse(at) : at.getTime(); },
    advance: (delta) => { ms += delta; },
  };
}

/** Milliseconds since the epoch on `clock` (for deadlines and elapsed times). */
export function epochMs(clock: Clock): number {
  return clock.now().getTime();
}

/** Milliseconds since the epoch on the system clock: the default of the `now: () => number` options. */
export const systemMs = (): number => systemClock.now().getTime();
