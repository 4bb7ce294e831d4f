// The relay's scheduling (startPasses): one pass at a time, wakes folded into one more pass, the
// interval as the fallback, nothing after stop. Passes are plain promises the test settles by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { startPasses, type Relay } from '../../../src/jobs/outbox-relay.ts';

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

/** A pass function whose calls stay open until the test finishes them. */
function manualPasses() {
  const open: Array<() => void> = [];
  const state = { calls: 0, active: 0, maxActive: 0 };
  const pass = () => {
    state.calls += 1;
    state.active += 1;
    state.maxActive = Math.max(state.maxActive, state.active);
    return new Promise<void>((resolve) => open.push(() => { state.active -= 1; resolve(); }));
  };
  /** Finishes the oldest open pass and lets its continuation run. */
  const finish = async () => {
    open.shift()!();
    await tick(1);
  };
  return { pass, state, finish, open };
}

let relay: Relay | undefined;
afterEach(async () => {
  const r = relay;
  relay = undefined;
  // Each test finishes its passes, so stop() returns at once.
  await r?.stop();
});

describe('startPasses', () => {
  it('runs a first pass at once, then waits for the interval', async () => {
    const m = manualPasses();
    relay = startPasses(m.pass, 600_000, () => {});
    await tick();
    expect(m.state.calls).toBe(1);
    await m.finish();
    await tick(50);
    expect(m.state.calls).toBe(1);
  });

  it('runs a pass immediately when woken while idle', async () => {
    const m = manualPasses();
    relay = startPasses(m.pass, 600_000, () => {});
    await tick();
    await m.finish();
    relay.wake();
    expect(m.state.calls).toBe(2);
    await m.finish();
  });

  it('folds wakes during a pass into exactly one more pass, never two at once', async () => {
    const m = manualPasses();
    relay = startPasses(m.pass, 600_000, () => {});
    await tick();
    relay.wake();
    relay.wake();
    relay.wake();
    await tick();
    expect(m.state.calls).toBe(1);
    await m.finish();
    expect(m.state.calls).toBe(2);
    // Woken during the second pass: one more after it.
    relay.wake();
    await m.finish();
    expect(m.state.calls).toBe(3);
    await m.finish();
    await tick(50);
    expect(m.state.calls).toBe(3);
    expect(m.state.maxActive).toBe(1);
  });

  it('keeps polling on the interval without wakes', async () => {
    let calls = 0;
    relay = startPasses(async () => { calls += 1; }, 20, () => {});
    await tick(200);
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('reports a failing pass and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    relay = startPasses(async () => { calls += 1; if (calls === 1) throw new Error('boom'); }, 600_000, (err) => errors.push(err));
    await tick();
    expect(errors).toHaveLength(1);
    relay.wake();
    await tick();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('stop waits for the running pass, drops a pending wake, and ignores later wakes', async () => {
    const m = manualPasses();
    const r = startPasses(m.pass, 20, () => {});
    await tick();
    r.wake();
    let stopped = false;
    const stopping = r.stop().then(() => { stopped = true; });
    await tick();
    expect(stopped).toBe(false);
    await m.finish();
    await stopping;
    expect(stopped).toBe(true);
    r.wake();
    await tick(60);
    expect(m.state.calls).toBe(1);
    expect(m.open).toHaveLength(0);
  });

  it('does nothing when stopped before its first pass', async () => {
    const m = manualPasses();
    const r = startPasses(m.pass, 20, () => {});
    await r.stop();
    r.wake();
    await tick(60);
    expect(m.state.calls).toBe(0);
  });
});
