// The event metrics of a process and the access rule of /metrics.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createGatewayMetrics } from '../../../src/metrics/gateway-metrics.ts';
import { metricsAccess } from '../../../src/metrics/metrics-access.ts';
import { registerStoredHistogram } from '../../../src/metrics/stored-histogram.ts';
import { progressTable } from '../../../src/http/routes/ops.ts';

describe('national attempts', () => {
  it('are counted by op, outcome and code, timed, and kept as the link state', async () => {
    const now = new Date('2026-05-29T03:00:00Z');
    const m = createGatewayMetrics({ defaultMetrics: false, now: () => now });
    m.onNationalAttempt({ op: 'pushBatch', requestId: 'a', status: 503, kind: 'transient', code: 'NATIONAL_UNAVAILABLE', durationMs: 1_200 });
    m.onNationalAttempt({ op: 'pushBatch', requestId: 'b', status: 200, kind: 'success', code: null, durationMs: 300 });
    m.onNationalAttempt({ op: 'pushBatch', requestId: 'c', status: 200, kind: 'replayed', code: null, durationMs: 40 });
    const text = await m.registry.metrics();
    expect(text).toContain('csdl_national_requests_total{op="pushBatch",outcome="transient",code="NATIONAL_UNAVAILABLE"} 1');
    expect(text).toContain('csdl_national_requests_total{op="pushBatch",outcome="success",code="none"} 1');
    expect(text).toContain('csdl_national_requests_total{op="pushBatch",outcome="replayed",code="none"} 1');
    expect(text).toContain('csdl_national_request_duration_seconds_bucket{le="0.5",op="pushBatch",outcome="success"} 1');
    expect(text).toContain('csdl_national_request_duration_seconds_bucket{le="1",op="pushBatch",outcome="transient"} 0');
    expect(text).toContain('csdl_national_request_duration_seconds_sum{op="pushBatch",outcome="transient"} 1.2');
    expect(text).toContain(`csdl_national_last_success_timestamp_seconds ${now.getTime() / 1000}`);
    expect(m.nationalLink()).toMatchObject({ attempts: 3, lastSuccessAt: now, lastFailureCode: 'NATIONAL_UNAVAILABLE' });
  });

  it('never throw into the client', () => {
    const m = createGatewayMetrics({ defaultMetrics: false });
    expect(() => m.onNationalAttempt({ op: 'nonsense' as never, requestId: null, status: null, kind: 'unknown', code: null, durationMs: Number.NaN })).not.toThrow();
  });

  it('come with the default process metrics, prefixed', async () => {
    const text = await createGatewayMetrics().registry.metrics();
    expect(text).toContain('csdl_process_cpu_user_seconds_total');
    expect(text).toContain('csdl_nodejs_eventloop_lag_seconds');
  });
});

describe('metricsAccess', () => {
  it('is open without METRICS_TOKEN and asks for the bearer token with one', () => {
    expect(metricsAccess('', undefined)).toBe('ok');
    expect(metricsAccess('s3', undefined)).toBe(401);
    expect(metricsAccess('s3', 'Basic czM=')).toBe(401);
    expect(metricsAccess('s3', 'Bearer nope')).toBe(403);
    expect(metricsAccess('s3', 'Bearer s3')).toBe('ok');
  });
});

describe('a histogram read from storage', () => {
  it('is exposed as a Prometheus histogram, and left out when its source fails', async () => {
    const registry = new Registry();
    let fail = false;
    registerStoredHistogram({ name: 'x_duration_seconds', help: 'x', bounds: [1, 10], registry,
      read: async () => { if (fail) throw new Error('down'); return { buckets: [2, 5], sum: 31.5, count: 6 }; } });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE x_duration_seconds histogram');
    expect(text).toContain('x_duration_seconds_bucket{le="1"} 2\nx_duration_seconds_bucket{le="10"} 5\nx_duration_seconds_bucket{le="+Inf"} 6');
    expect(text).toContain('x_duration_seconds_sum 31.5\nx_duration_seconds_count 6');
    fail = true;
    expect(await registry.metrics()).not.toContain('x_duration_seconds_bucket');
  });
});

describe('the progress table', () => {
  it('turns counts by agency and state into the console’s columns', () => {
    const { agencies, totals } = progressTable([
      { agencyCode: 'H55.05', agencyName: 'Sở Giáo dục và Đào tạo', state: 'SUBMITTED', count: 4, overdue: 1 },
      { agencyCode: 'H55.05', agencyName: 'Sở Giáo dục và Đào tạo', state: 'SYNCED', count: 10, overdue: 0 },
      { agencyCode: 'H55.05', agencyName: 'Sở Giáo dục và Đào tạo', state: 'REJECTED_BY_NATIONAL', count: 1, overdue: 0 },
      { agencyCode: 'H55.06', agencyName: 'Sở Y tế', state: 'AGENCY_APPROVED', count: 2, overdue: 0 },
      { agencyCode: 'H55.06', agencyName: 'Sở Y tế', state: 'RETURNED', count: 3, overdue: 2 },
    ]);
    expect(agencies[0]).toMatchObject({ agencyCode: 'H55.05', entered: 15, verified: 11, agencyApproved: 11, provinceApproved: 11, synced: 10, rejected: 1, returned: 0, overdue: 1 });
    expect(agencies[1]).toMatchObject({ agencyCode: 'H55.06', entered: 5, verified: 2, agencyApproved: 2, provinceApproved: 0, synced: 0, returned: 3, overdue: 2 });
    expect(totals).toMatchObject({ entered: 20, verified: 13, synced: 10, overdue: 3, states: { SUBMITTED: 4, SYNCED: 10, REJECTED_BY_NATIONAL: 1, AGENCY_APPROVED: 2, RETURNED: 3 } });
  });
});
