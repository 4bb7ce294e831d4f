import { describe, expect, it } from 'vitest';
import { createTokenCache, renewalTime } from '../../../src/exchange/token-cache.ts';

describe('renewalTime', () => {
  it.each([
    [3600, 2_880_000], // 80 % comes before 60 s before expiry
    [120, 60_000], // 60 s before expiry comes first
    [30, 0], // a very short token is renewed at once
  ])('expires_in %i s → renew after %i ms', (ttl, at) => {
    expect(renewalTime(0, ttl)).toBe(at);
  });
});

describe('createTokenCache', () => {
  function fixture(ttl = 3600) {
    let t = 0;
    let n = 0;
    const releases: Array<() => void> = [];
    const cache = createTokenCache({
      now: () => t,
      fetchToken: () => new Promise((resolve) => {
        n += 1;
        const token = `tok-${n}`;
        releases.push(() => resolve({ accessToken: token, expiresIn: ttl }));
      }),
    });
    return { cache, advance: (ms: number) => { t += ms; }, release: () => releases.shift()?.(), fetched: () => n };
  }

  it('shares one request among concurrent callers, then serves from the cache', async () => {
    const f = fixture();
    const all = Promise.all([f.cache.get(), f.cache.get(), f.cache.get()]);
    f.release();
    expect(await all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(await f.cache.get()).toBe('tok-1');
    expect(f.fetched()).toBe(1);
    expect(f.cache.fetches).toBe(1);
  });

  it('renews at 80 % of the lifetime', async () => {
    const f = fixture();
    const first = f.cache.get();
    f.release();
    await first;
    f.advance(2_879_999);
    expect(await f.cache.get()).toBe('tok-1');
    f.advance(1);
    const second = f.cache.get();
    f.release();
    expect(await second).toBe('tok-2');
  });

  it('invalidates only the refused token, once for many callers', async () => {
    const f = fixture();
    const p = f.cache.get();
    f.release();
    const old = await p;
    f.cache.invalidate(old);
    const renewed = Promise.all([f.cache.get(), f.cache.get()]);
    f.cache.invalidate(old); // a second caller refused with the same old token: no second renewal
    f.release();
    expect(await renewed).toEqual(['tok-2', 'tok-2']);
    f.cache.invalidate('tok-1');
    expect(await f.cache.get()).toBe('tok-2');
    expect(f.fetched()).toBe(2);
  });

  it('does not cache a failure', async () => {
    let calls = 0;
    const cache = createTokenCache({
      fetchToken: async () => {
        calls += 1;
        if (calls === 1) throw new Error('down');
        return { accessToken: 'ok', expiresIn: 3600 };
      },
    });
    await expect(cache.get()).rejects.toThrow('down');
    expect(await cache.get()).toBe('ok');
  });
});
