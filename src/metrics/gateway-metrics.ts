// The Prometheus metrics of one process (prom-client, one registry, default process metrics). Events
// are counted as they happen: every HTTP attempt at the national platform (the client's onAttempt hook)
// and every alert log event. What lives in the database, the queue and the certificates is read on
// scrape by state-collectors.ts, bound by the API only (so it is reported once per API replica).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptInfo } from '../exchange/national-client.ts';
import { createNationalLinkMonitor, LINK_UP_KINDS, type NationalLinkSnapshot } from './national-link.ts';
import { systemClock } from '../clock.ts';

/** Every metric of the gateway starts with this (default process metrics included). */
export const METRIC_PREFIX = 'csdl_';

/** Seconds; a push of a full 16 MiB batch may take a minute, the response timeout is 2 minutes. */
const NATIONAL_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface GatewayMetrics {
  readonly registry: Registry;
  /** For NationalClientOptions.onAttempt: counts the attempt and updates the link state. Never throws. */
  readonly onNationalAttempt: (info: AttemptInfo) => void;
  /** One alert log event (`alert: 'BATCH_FAILED'`…), see alert-tap.ts. */
  readonly countAlert: (alert: string) => void;
  /** The link to the national side as this process saw it. */
  nationalLink(): NationalLinkSnapshot;
}

export interface MetricsOptions {
  /** Default process metrics (CPU, memory, event loop, GC); default true. */
  readonly defaultMetrics?: boolean;
  readonly now?: () => Date;
}

export function createGatewayMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const now = options.now ?? systemClock.now;
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];

  const calls = new Counter({
    name: `${METRIC_PREFIX}national_requests_total`,
    help: 'HTTP attempts at the national platform by operation, outcome (success, replayed, notFound, transient, permanent, unknown, tokenExpired) and code',
    labelNames: ['op', 'outcome', 'code'] as const, registers,
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}national_request_duration_seconds`,
    help: 'Duration of HTTP attempts at the national platform, by operation and outcome',
    labelNames: ['op', 'outcome'] as const, buckets: NATIONAL_LATENCY_BUCKETS, registers,
  });
  const lastSuccess = new Gauge({
    name: `${METRIC_PREFIX}national_last_success_timestamp_seconds`,
    help: 'When this process last got a usable answer from the national platform (Unix time)', registers,
  });
  const lastFailure = new Gauge({
    name: `${METRIC_PREFIX}national_last_failure_timestamp_seconds`,
    help: 'When an attempt of this process at the national platform last failed (Unix time)', registers,
  });
  const alerts = new Counter({
    name: `${METRIC_PREFIX}alerts_total`,
    help: 'Alert log events (BATCH_FAILED, CHANGE_NOT_SENDABLE, TRANSFER_FAILED…): each needs an operator',
    labelNames: ['alert'] as const, registers,
  });
  const link = createNationalLinkMonitor();

  return {
    registry,
    onNationalAttempt(info) {
      try {
        const at = now();
        calls.inc({ op: info.op, outcome: info.kind, code: info.code ?? 'none' });
        latency.observe({ op: info.op, outcome: info.kind }, Math.max(0, info.durationMs) / 1000);
        (LINK_UP_KINDS.has(info.kind) ? lastSuccess : lastFailure).set(at.getTime() / 1000);
        link.record(info, at);
      } catch {
        // metrics never break a call
      }
    },
    countAlert: (alert) => alerts.inc({ alert }),
    nationalLink: () => link.snapshot(),
  };
}
