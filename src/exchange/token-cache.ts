// The bearer token of the national platform (NATIONAL_API.md §2), cached and renewed before it expires.
// One fetch at a time: concurrent callers that find no valid token wait for the same request. A call
// refused with TOKEN_EXPIRED hands its token back with `invalidate(token)`; only the first of several
// such callers causes a renewal, the others then get the new token.

import { systemMs } from '../clock.ts';

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds as announced by the token endpoint. */
  readonly expiresIn: number;
}

export interface TokenCacheOptions {
  /** Asks the token endpoint for a new token; throws (a GatewayError) on failure. */
  readonly fetchToken: () => Promise<IssuedToken>;
  readonly now?: () => number;
  /** Renew once this fraction of the lifetime has passed (default 0.8)… */
  readonly renewFraction?: number;
  /** …or this many seconds before expiry, whichever comes first (default 60). */
  readonly renewMarginSeconds?: number;
}

export interface TokenCache {
  /** A token that is valid now, fetching one if needed. */
  get(): Promise<string>;
  /** Drops `token` if it is still the cached one (it was refused), so the next `get()` renews it. */
  invalidate(token: string): void;
  /** Number of token requests made so far (for metrics and tests). */
  readonly fetches: number;
}

interface Cached { token: string; renewAt: number }

/** The moment (epoch ms) a token issued at `issuedAt` should be renewed. */
export function renewalTime(issuedAt: number, expiresInSeconds: number, fraction = 0.8, marginSeconds = 60): number {
  const lifetime = Math.max(0, expiresInSeconds) * 1000;
  const byFraction = lifetime * fraction;
  const byMargin = lifetime - marginSeconds * 1000;
  return issuedAt + Math.max(0, Math.min(byFraction, byMargin));
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const now = options.now ?? systemMs;
  let cached: Cached | undefined;
  let pending: Promise<string> | undefined;
  let fetches = 0;

  const renew = (): Promise<string> => {
    if (pending) return pending;
    const issuedAt = now();
    fetches += 1;
    pending = options.fetchToken().then(
      (t) => {
        cached = {
          token: t.accessToken,
          renewAt: renewalTime(issuedAt, t.expiresIn, options.renewFraction, options.renewMarginSeconds),
        };
        return t.accessToken;
      },
    ).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return {
    get(): Promise<string> {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      return renew();
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
    },
    get fetches(): number {
      return fetches;
    },
  };
}
