// Gauges read on scrape (prom-client collect() callbacks) from where the state is kept: changes and
// batches by state and batch durations (PostgreSQL, one grouped query each), queue depths (Redis),
// certificate days-to-expiry (loaded at start-up). Database answers are cached for a few seconds, so
// several scrapers or a dashboard refresh cost one round of queries. A source that does not answer
// leaves its gauges empty and sets csdl_metrics_source_up{source} to 0, never fails the scrape.
import { Gauge } from 'prom-client';
import type { Db } from '../store/db.ts';
import { batchDurationBuckets, batchStateCounts, changeStateCounts } from '../store/ops.ts';
import { CHANGE_STATES } from '../domain/change-lifecycle.ts';
import { BatchState } from '../generated/prisma/enums.ts';
import { METRIC_PREFIX, type GatewayMetrics } from './gateway-metrics.ts';
import { registerStoredHistogram } from './stored-histogram.ts';
import { queueCounts, type OpsQueues } from './ops-queues.ts';
import type { CertificateExpiry } from './certificate-expiry.ts';
import { lastGoodBackups } from '../store/backups.ts';

/** Seconds from build to settlement: a clean push takes seconds, retries minutes to hours, the deadline 72 h. */
export const BATCH_DURATION_BOUNDS = [1, 5, 15, 60, 300, 900, 3_600, 14_400, 86_400, 259_200];

const BATCH_STATES = Object.values(BatchState);
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export interface StateSources {
  readonly db?: Db;
  readonly queues?: Pick<OpsQueues, 'outbox' | 'schedules'>;
  readonly certificates?: () => readonly CertificateExpiry[];
  /** How long database answers are reused (default 10 s). */
  readonly cacheMs?: number;
}

/** The same promise for `ttlMs`; a failure is not kept. */
function cached<T>(read: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || performance.now() - at > ttlMs) {
      at = performance.now();
      value = read();
      value.catch(() => { value = undefined; });
    }
    return value;
  };
}

export function bindStateCollectors(metrics: GatewayMetrics, s: StateSources): void {
  const registers = [metrics.registry];
  const ttl = s.cacheMs ?? 10_000;
  const db = s.db;
  const queues = s.queues;
  const changes = db ? cached(() => changeStateCounts(db), ttl) : null;
  const batches = db ? cached(() => batchStateCounts(db), ttl) : null;
  const queueDepths = queues ? cached(() => Promise.all([queueCounts(queues.outbox), queueCounts(queues.schedules)]), Math.min(ttl, 5_000)) : null;
  // Scrapes collect every metric at once: this one waits for the same (cached) reads as the gauges below.
  new Gauge({
    name: `${METRIC_PREFIX}metrics_source_up`, help: 'Whether a source of the state metrics answered at this scrape (database, redis)', labelNames: ['source'] as const, registers,
    async collect() {
      this.reset();
      if (changes) this.set({ source: 'database' }, await changes().then(() => 1, () => 0));
      if (queueDepths) this.set({ source: 'redis' }, (await queueDepths())[0] ? 1 : 0);
    },
  });

  if (db && changes && batches) {
    new Gauge({
      name: `${METRIC_PREFIX}changes`, help: 'Profile changes (records entered for synchronisation) by lifecycle state', labelNames: ['state'] as const, registers,
      async collect() {
        this.reset();
        const counts = await changes().catch(() => null);
        if (counts) for (const state of CHANGE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}batches`, help: 'Batches for the national side by state', labelNames: ['state'] as const, registers,
      async collect() {
        this.reset();
        const counts = await batches().catch(() => null);
        if (counts) for (const state of BATCH_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    const backups = cached(() => lastGoodBackups(db), ttl);
    new Gauge({
      name: `${METRIC_PREFIX}backup_last_success_timestamp_seconds`, help: 'When the last good backup of each kind (monthly, frequent, manual) finished; alert on time() minus it',
      labelNames: ['kind'] as const, registers,
      async collect() {
        this.reset();
        const last = await backups().catch(() => null);
        if (last) for (const [kind, at] of Object.entries(last)) this.set({ kind }, Math.floor(at.getTime() / 1000));
      },
    });
    registerStoredHistogram({
      name: `${METRIC_PREFIX}batch_duration_seconds`, help: 'Time from building a batch to its settlement (ACCEPTED, PARTIAL or FAILED), settled batches',
      bounds: BATCH_DURATION_BOUNDS, read: cached(() => batchDurationBuckets(db, BATCH_DURATION_BOUNDS), ttl), registry: metrics.registry,
    });
  }

  if (queueDepths) {
    new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`, help: 'BullMQ jobs by queue and state (waiting, active, delayed, failed)', labelNames: ['queue', 'state'] as const, registers,
      async collect() {
        this.reset();
        const [outbox, schedules] = await queueDepths();
        for (const [queue, counts] of [['outbox', outbox], ['schedules', schedules]] as const) {
          if (counts) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state]);
        }
      },
    });
  }

  if (s.certificates) {
    const certificates = s.certificates;
    new Gauge({
      name: `${METRIC_PREFIX}certificate_expiry_days`, help: 'Whole days until a configured certificate expires (negative once expired)',
      labelNames: ['role', 'subject', 'serial'] as const, registers,
      collect() {
        this.reset();
        for (const c of certificates()) this.set({ role: c.role, subject: c.subject, serial: c.serialNumber }, c.daysLeft);
      },
    });
  }
}
