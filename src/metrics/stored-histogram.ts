// A Prometheus histogram whose buckets are read on scrape from where the truth is kept (the batch
// table), instead of observed in memory: batch durations span processes (built by the API or a
// schedule, settled by any worker) and restarts. Registered in a prom-client registry like its own
// metric types (the registry only calls `get()`).
import type { Registry } from 'prom-client';

export interface StoredBuckets {
  /** Cumulative counts, one per bound. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface StoredHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly bounds: readonly number[];
  /** Reads the buckets; on failure the histogram is left out of this scrape. */
  readonly read: (bounds: readonly number[]) => Promise<StoredBuckets>;
  readonly registry: Registry;
}

interface MetricValue { value: number; labels: Record<string, string | number>; metricName: string }

export function registerStoredHistogram(o: StoredHistogramOptions): void {
  const metric = {
    name: o.name,
    help: o.help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      let values: MetricValue[] = [];
      try {
        const b = await o.read(o.bounds);
        values = [
          ...o.bounds.map((le, i) => ({ value: b.buckets[i] ?? 0, labels: { le }, metricName: `${o.name}_bucket` })),
          { value: b.count, labels: { le: '+Inf' }, metricName: `${o.name}_bucket` },
          { value: b.sum, labels: {}, metricName: `${o.name}_sum` },
          { value: b.count, labels: {}, metricName: `${o.name}_count` },
        ];
      } catch {
        values = [];
      }
      return { name: o.name, help: o.help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
  o.registry.registerMetric(metric as never);
}
