// GET /metrics after real activity: a batch refused by the simulator (422 BAD_SIGNATURE, an alert),
// re-run and accepted; then a worker with METRICS_PORT pushing a batch and serving its own metrics.
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { createNationalClient } from '../../../src/exchange/national-client.ts';
import { createLogger } from '../../../src/logger.ts';
import { buildBatches } from '../../../src/sync/batch-builder.ts';
import { pushBatchOnce } from '../../../src/sync/push-batch.ts';
import { rerunBatch } from '../../../src/store/batches.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { alertCountingDestination } from '../../../src/metrics/alert-tap.ts';
import { startWorker } from '../../../src/commands/worker.ts';
import { loadConfig } from '../../../src/config.ts';
import { auth, createOpsApp, type OpsApp } from './fixture.ts';
import { testGate } from '../../support/sender-gate.ts';

let t: OpsApp;
let sim: RunningSimulator;
const logLines: string[] = [];

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (wanted.every(([k, v]) => have[k] === v) && Object.keys(have).length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function build(count: number) {
  const pki = await getTestPki();
  const { period } = await approvedChanges(t.database.db, count);
  const built = await buildBatches(period, { db: t.database.db, signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 100,
    maxBytes: 16 * 1024 * 1024, deadlineMs: 600_000, actor: systemPrincipal('H55'), logger: createLogger('silent') });
  return built.batches[0]!.batchId;
}

beforeAll(async () => {
  t = await createOpsApp({ persons: 40 });
  sim = await startTestSimulator(t.database.url);
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

describe('GET /metrics', () => {
  it('reports national calls by op, outcome and code, alerts, changes and batches by state, batch durations, queues and certificates', async () => {
    const batchId = await build(3);
    sim.sim.setFaults({ rules: [{ action: 'status', status: 422, code: 'BAD_SIGNATURE', times: 1, routes: ['pushBatch'] }] });
    const client = createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret,
      senderCode: 'H55.19', gate: testGate(), onAttempt: t.metrics.onNationalAttempt });
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    const logger = createLogger('info', { destination: alertCountingDestination(t.metrics.countAlert, sink) });
    const deps = { db: t.database.db, client, logger, owner: 'metrics-test', leaseMs: 10_000 };
    expect(await pushBatchOnce(deps, batchId)).toMatchObject({ kind: 'settled', state: 'FAILED' });
    await rerunBatch(t.database.db, { subject: 'op', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' }, batchId, new Date(Date.now() + 600_000));
    expect(await pushBatchOnce(deps, batchId)).toMatchObject({ kind: 'settled', state: 'ACCEPTED' });
    await client.close();
    expect(logLines.some((l) => l.includes('"alert":"BATCH_FAILED"'))).toBe(true); // the log line itself still goes out

    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = res.body;
    expect(sample(m, 'csdl_national_requests_total', { op: 'pushBatch', outcome: 'permanent', code: 'BAD_SIGNATURE' })).toBe(1);
    expect(sample(m, 'csdl_national_requests_total', { op: 'pushBatch', outcome: 'success', code: 'none' })).toBe(1);
    expect(sample(m, 'csdl_national_requests_total', { op: 'getBatch', outcome: 'notFound', code: 'NOT_FOUND' })).toBe(1);
    expect(sample(m, 'csdl_national_requests_total', { op: 'token', outcome: 'success', code: 'none' })).toBe(1);
    expect(sample(m, 'csdl_national_request_duration_seconds_count', { op: 'pushBatch', outcome: 'success' })).toBe(1);
    expect(sample(m, 'csdl_national_request_duration_seconds_bucket', { op: 'pushBatch', outcome: 'success', le: '+Inf' })).toBe(1);
    expect(sample(m, 'csdl_national_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(sample(m, 'csdl_alerts_total', { alert: 'BATCH_FAILED' })).toBe(1);
    expect(sample(m, 'csdl_changes', { state: 'SYNCED' })).toBe(3);
    expect(sample(m, 'csdl_changes', { state: 'SUBMITTED' })).toBe(0);
    expect(sample(m, 'csdl_batches', { state: 'ACCEPTED' })).toBe(1);
    expect(sample(m, 'csdl_batches', { state: 'FAILED' })).toBe(0);
    expect(m).toContain('# TYPE csdl_batch_duration_seconds histogram');
    expect(sample(m, 'csdl_batch_duration_seconds_count')).toBe(1);
    expect(sample(m, 'csdl_batch_duration_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sample(m, 'csdl_batch_duration_seconds_bucket', { le: '259200' })).toBe(1);
    expect(sample(m, 'csdl_batch_duration_seconds_sum')).toBeGreaterThanOrEqual(0);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(sample(m, 'csdl_queue_jobs', { queue: 'outbox', state })).toBe(0);
    expect(sample(m, 'csdl_queue_jobs', { queue: 'schedules', state: 'waiting' })).toBe(0);
    expect(sample(m, 'csdl_metrics_source_up', { source: 'database' })).toBe(1);
    expect(sample(m, 'csdl_metrics_source_up', { source: 'redis' })).toBe(1);
    const signer = t.signing.orgSigner!;
    const { serialNumberHex, subjectOf } = await import('../../../src/pki/certificates.ts');
    const days = sample(m, 'csdl_certificate_expiry_days', { role: 'ORG_SIGNER', subject: subjectOf(signer.certificate), serial: serialNumberHex(signer.certificate) });
    expect(days).toBeGreaterThan(30);
    expect(m).toMatch(/csdl_certificate_expiry_days\{role="NATIONAL_TRUST_ANCHOR",/);
    expect(m).toContain('csdl_process_cpu_user_seconds_total');
    expect(m).not.toMatch(/personal/i); // no personal data: no such label exists
  }, 60_000);

  it('asks for METRICS_TOKEN when one is configured', async () => {
    const guarded = await createOpsApp({ persons: 0, overrides: { metricsToken: 'scrape-secret' } });
    try {
      expect((await guarded.app.inject({ url: '/metrics' })).statusCode).toBe(401);
      const wrong = await guarded.app.inject({ url: '/metrics', headers: auth('other') });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().code).toBe('FORBIDDEN');
      const ok = await guarded.app.inject({ url: '/metrics', headers: auth('scrape-secret') });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('csdl_changes');
    } finally {
      await guarded.close();
    }
  }, 60_000);
});

describe('a worker with METRICS_PORT', () => {
  it('serves its own national calls, process metrics and /health', async () => {
    sim.sim.setFaults({ rules: [] });
    const batchId = await build(2);
    const pki = await getTestPki();
    const port = await freePort();
    const worker = await startWorker(loadConfig({}, {
      ...t.config, logLevel: 'silent', metricsPort: port, metricsToken: '', schedulesEnabled: false, relayIntervalMs: 100,
      nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token`, nationalClientId: CLIENT.clientId, nationalClientSecret: CLIENT.clientSecret,
      senderCode: 'H55.19', signerP12File: pki.path('org-signer.p12'), signerP12Password: pki.p12Password,
    }));
    try {
      const deadline = Date.now() + 30_000;
      while ((await t.database.db.prisma.batch.findUniqueOrThrow({ where: { batchId } })).state !== 'ACCEPTED') {
        if (Date.now() > deadline) throw new Error('the worker did not push the batch');
        await new Promise((r) => setTimeout(r, 100));
      }
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sample(text, 'csdl_national_requests_total', { op: 'pushBatch', outcome: 'success', code: 'none' })).toBe(1);
      expect(text).toContain('csdl_process_resident_memory_bytes');
      // State metrics are the API's: a worker does not query the database on scrape.
      expect(text).not.toContain('csdl_changes');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await worker.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 60_000);
});
