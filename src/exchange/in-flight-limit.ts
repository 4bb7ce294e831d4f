// At most N national calls at once per sender (NATIONAL_API.md §4, NATIONAL_MAX_IN_FLIGHT, default 4).
// A counting semaphore with a FIFO queue: `run(fn)` waits for a slot, runs `fn`, frees the slot.

export interface InFlightLimit {
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createInFlightLimit(max: number): InFlightLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];

  const acquire = (): Promise<void> => {
    if (active < max) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => queue.push(resolve));
  };
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active(): number {
      return active;
    },
    get waiting(): number {
      return queue.length;
    },
  };
}
