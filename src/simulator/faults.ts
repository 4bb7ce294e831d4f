// Fault injection for the national simulator, set per run (options, or PUT /_sim/faults). A plan is a
// list of rules; each call to a matching route draws from one seeded PRNG, so a run with the same
// seed and the same sequence of calls injects the same faults. A rule applies with probability `rate`
// (default 1) and at most `times` times (default: no limit). Delays add up; of the other rules the
// first that fires decides what happens to the call.
//
//   status         answer `status` with `code` (default by status) and `Retry-After` when given
//   reset-before   destroy the connection before anything is processed
//   reset-after    process and store, then destroy the connection instead of answering
//                  (the "no answer after the request was sent" case of §4)
//   token-expired  revoke the caller's token: the call is answered 401 TOKEN_EXPIRED
//   delay          wait `delayMs` before processing (slow answers; raises concurrency)
import Type, { type Static } from 'typebox';

export const ROUTES = ['token', 'pushBatch', 'getBatch', 'getRecord', 'ackTransfer'] as const;
export type RouteName = (typeof ROUTES)[number];

export const FaultRuleSchema = Type.Object({
  action: Type.Union([
    Type.Literal('status'), Type.Literal('reset-before'), Type.Literal('reset-after'),
    Type.Literal('token-expired'), Type.Literal('delay'),
  ]),
  status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
  code: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$' })),
  /** Retry-After header value: delta-seconds or an HTTP-date. */
  retryAfter: Type.Optional(Type.String({ maxLength: 64 })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  times: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Routes the rule applies to; default every route except the token endpoint. */
  routes: Type.Optional(Type.Array(Type.Union([
    Type.Literal('token'), Type.Literal('pushBatch'), Type.Literal('getBatch'), Type.Literal('getRecord'), Type.Literal('ackTransfer'),
  ]), { minItems: 1 })),
}, { additionalProperties: false });

export const FaultPlanSchema = Type.Object({
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
  rules: Type.Array(FaultRuleSchema, { maxItems: 100 }),
}, { additionalProperties: false });

export type FaultRule = Static<typeof FaultRuleSchema>;
export type FaultPlan = Static<typeof FaultPlanSchema>;

export type FaultEffect =
  | { readonly kind: 'status'; readonly status: number; readonly code: string; readonly retryAfter?: string }
  | { readonly kind: 'reset-before' }
  | { readonly kind: 'reset-after' }
  | { readonly kind: 'token-expired' };

export interface FaultDecision {
  readonly delayMs: number;
  readonly effect?: FaultEffect;
}

export interface FaultInjector {
  decide(route: RouteName): FaultDecision;
  set(plan: FaultPlan): void;
  plan(): FaultPlan;
  /** Faults injected so far, by action. */
  readonly injected: Readonly<Record<string, number>>;
}

/** mulberry32: a small, fast, seedable PRNG; enough for reproducible fault patterns. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function defaultCodeFor(status: number): string {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'AUTHEN_ERROR';
  if (status === 403) return 'SENDER_NOT_ALLOWED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 400) return 'BAD_REQUEST';
  return status >= 500 ? 'SERVICE_UNAVAILABLE' : 'BAD_REQUEST';
}

const DEFAULT_ROUTES: readonly RouteName[] = ['pushBatch', 'getBatch', 'getRecord', 'ackTransfer'];

export const NO_FAULTS: FaultPlan = { rules: [] };

export function createFaultInjector(initial: FaultPlan = NO_FAULTS): FaultInjector {
  let current: FaultPlan = initial;
  let random = seededRandom(initial.seed ?? 1);
  let remaining: Array<number | undefined> = [];
  const injected: Record<string, number> = {};

  const set = (plan: FaultPlan): void => {
    current = plan;
    random = seededRandom(plan.seed ?? 1);
    remaining = plan.rules.map((r) => r.times);
  };
  set(initial);

  const effectOf = (rule: FaultRule): FaultEffect | undefined => {
    switch (rule.action) {
      case 'status': {
        const status = rule.status ?? 503;
        const retryAfter = rule.retryAfter ?? (status === 429 ? '1' : undefined);
        return { kind: 'status', status, code: rule.code ?? defaultCodeFor(status), ...(retryAfter !== undefined ? { retryAfter } : {}) };
      }
      case 'reset-before':
      case 'reset-after':
      case 'token-expired':
        return { kind: rule.action };
      case 'delay':
        return undefined;
    }
  };

  return {
    decide(route) {
      let delayMs = 0;
      let effect: FaultEffect | undefined;
      current.rules.forEach((rule, i) => {
        if (!(rule.routes ?? DEFAULT_ROUTES).includes(route)) return;
        if (rule.action !== 'delay' && effect !== undefined) return;
        const left = remaining[i];
        if (left !== undefined && left <= 0) return;
        const rate = rule.rate ?? 1;
        if (rate < 1 && random() >= rate) return;
        if (left !== undefined) remaining[i] = left - 1;
        injected[rule.action] = (injected[rule.action] ?? 0) + 1;
        if (rule.action === 'delay') delayMs += rule.delayMs ?? 0;
        else effect = effectOf(rule);
      });
      return effect === undefined ? { delayMs } : { delayMs, effect };
    },
    set,
    plan: () => current,
    get injected() {
      return injected;
    },
  };
}
