// The green / yellow / red rules of the health panel, without a database, a queue or a clock.
import { describe, expect, it } from 'vitest';
import {
  batchesLevel, certificateLevel, nationalLinkView, queueLevel, readinessLevel, worst,
} from '../../../src/metrics/health-levels.ts';
import { createNationalLinkMonitor } from '../../../src/metrics/national-link.ts';

const at = (iso: string) => new Date(iso);

describe('certificate levels', () => {
  it.each([[400, 'green'], [30, 'green'], [29, 'yellow'], [7, 'yellow'], [6, 'red'], [0, 'red'], [-3, 'red']] as const)('%i days left: %s', (days, level) => {
    expect(certificateLevel(days)).toBe(level);
  });
});

describe('other levels', () => {
  it('takes the worst of several', () => {
    expect(worst([])).toBe('green');
    expect(worst(['green', 'yellow', 'green'])).toBe('yellow');
    expect(worst(['yellow', 'red', 'green'])).toBe('red');
  });
  it('queue: unreachable red, failed jobs yellow', () => {
    expect(queueLevel(null)).toBe('red');
    expect(queueLevel({ waiting: 5, active: 1, delayed: 3, failed: 0 })).toBe('green');
    expect(queueLevel({ waiting: 0, active: 0, delayed: 0, failed: 2 })).toBe('yellow');
  });
  it('readiness: any check down is red', () => {
    expect(readinessLevel({ database: true, redis: true })).toBe('green');
    expect(readinessLevel({ database: true, redis: false })).toBe('red');
  });
  it('batches: FAILED red, UNKNOWN yellow', () => {
    expect(batchesLevel({ ACCEPTED: 4 })).toBe('green');
    expect(batchesLevel({ ACCEPTED: 4, UNKNOWN: 1 })).toBe('yellow');
    expect(batchesLevel({ UNKNOWN: 1, FAILED: 1 })).toBe('red');
  });
});

describe('the national link', () => {
  const none = { lastReceiptAt: null, lastError: null };

  it('is yellow while nothing is known, green after an answer', () => {
    expect(nationalLinkView(null, none)).toMatchObject({ level: 'yellow', lastSuccessAt: null, lastFailureCode: null });
    expect(nationalLinkView(null, { lastReceiptAt: at('2026-05-01T01:00:00Z'), lastError: null })).toMatchObject({ level: 'green' });
  });

  it('is yellow after a failure, red after a refusal of the province itself, green again after a later success', () => {
    const monitor = createNationalLinkMonitor();
    monitor.record({ op: 'token', requestId: null, status: 200, kind: 'success', code: null, durationMs: 3 }, at('2026-05-01T01:00:00Z'));
    monitor.record({ op: 'pushBatch', requestId: 'a', status: 503, kind: 'transient', code: 'NATIONAL_UNAVAILABLE', durationMs: 9 }, at('2026-05-01T01:01:00Z'));
    expect(nationalLinkView(monitor.snapshot(), none)).toMatchObject({ level: 'yellow', lastFailureCode: 'NATIONAL_UNAVAILABLE', lastFailureSource: 'process' });
    monitor.record({ op: 'pushBatch', requestId: 'b', status: 422, kind: 'permanent', code: 'BAD_SIGNATURE', durationMs: 9 }, at('2026-05-01T01:02:00Z'));
    // A refused batch: the link answered (the batch panel carries the red).
    expect(nationalLinkView(monitor.snapshot(), none)).toMatchObject({ level: 'yellow', lastFailureCode: 'BAD_SIGNATURE', lastFailureKind: 'permanent' });
    monitor.record({ op: 'token', requestId: null, status: 401, kind: 'permanent', code: 'AUTHEN_ERROR', durationMs: 9 }, at('2026-05-01T01:02:30Z'));
    expect(nationalLinkView(monitor.snapshot(), none)).toMatchObject({ level: 'red', lastFailureCode: 'AUTHEN_ERROR' });
    monitor.record({ op: 'pushBatch', requestId: 'c', status: 200, kind: 'success', code: null, durationMs: 9 }, at('2026-05-01T01:03:00Z'));
    expect(nationalLinkView(monitor.snapshot(), none).level).toBe('green');
    expect(monitor.snapshot()).toMatchObject({ attempts: 5, lastSuccessOp: 'pushBatch', lastFailureKind: 'permanent' });
  });

  it('names a failure without a code by its status or kind', () => {
    const monitor = createNationalLinkMonitor();
    monitor.record({ op: 'getRecord', requestId: null, status: null, kind: 'unknown', code: null, durationMs: 1 });
    expect(monitor.snapshot().lastFailureCode).toBe('UNKNOWN');
    monitor.record({ op: 'getRecord', requestId: null, status: 418, kind: 'permanent', code: null, durationMs: 1 });
    expect(monitor.snapshot().lastFailureCode).toBe('HTTP_418');
  });

  it('merges what the workers left in the batch table with what this process saw, latest first', () => {
    const monitor = createNationalLinkMonitor();
    monitor.record({ op: 'getBatch', requestId: 'a', status: 200, kind: 'success', code: null, durationMs: 3 }, at('2026-05-01T01:00:00Z'));
    const stored = { lastReceiptAt: at('2026-05-01T00:30:00Z'), lastError: { at: at('2026-05-01T02:00:00Z'), code: 'CERT_EXPIRED', batchId: 'H55.19-2026-05-000001', state: 'FAILED' } };
    expect(nationalLinkView(monitor.snapshot(), { ...stored, lastError: { ...stored.lastError, code: 'SENDER_NOT_ALLOWED' } }).level).toBe('red');
    expect(nationalLinkView(monitor.snapshot(), stored)).toMatchObject({
      level: 'yellow', lastSuccessAt: at('2026-05-01T01:00:00Z'), lastFailureCode: 'CERT_EXPIRED', lastFailureKind: 'permanent', lastFailureSource: 'database',
    });
    const retried = { ...stored, lastError: { ...stored.lastError, state: 'SENDING', code: 'RATE_LIMITED' } };
    expect(nationalLinkView(monitor.snapshot(), retried)).toMatchObject({ level: 'yellow', lastFailureKind: 'transient' });
    expect(nationalLinkView(null, { ...retried, lastReceiptAt: at('2026-05-01T03:00:00Z') }).level).toBe('green');
  });
});
