// Alerts are counted from the log lines themselves, whoever wrote them, and the lines still go out.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { alertCountingDestination, alertOf } from '../../../src/metrics/alert-tap.ts';
import { createLogger } from '../../../src/logger.ts';
import { createGatewayMetrics } from '../../../src/metrics/gateway-metrics.ts';

describe('alertOf', () => {
  it('reads the alert of a pino line, or null', () => {
    expect(alertOf('{"level":50,"alert":"BATCH_FAILED","batchId":"x"}\n')).toBe('BATCH_FAILED');
    expect(alertOf('{"level":30,"msg":"batch received"}\n')).toBeNull();
    expect(alertOf('{"level":50,"alert":true}\n')).toBeNull();
    expect(alertOf('{"alert":"not an alert name!"}')).toBeNull();
  });
});

describe('the alert-counting destination', () => {
  it('counts alerts of the logger and its children, and writes every line', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } });
    const metrics = createGatewayMetrics({ defaultMetrics: false });
    const logger = createLogger('info', { destination: alertCountingDestination(metrics.countAlert, sink) });
    logger.error({ alert: 'BATCH_FAILED', batchId: 'H55.19-X-000001', code: 'BAD_SIGNATURE' }, 'batch failed permanently');
    logger.child({ jobId: '7' }).error({ alert: 'TRANSFER_FAILED', requestId: 'YC-1' }, 'transfer request failed');
    logger.error({ alert: 'BATCH_FAILED', batchId: 'H55.19-X-000002' }, 'batch failed permanently');
    logger.info({ personalId: '001085012345' }, 'not an alert');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain('001*******45'); // redaction still applies: the tap only reads
    const text = await metrics.registry.metrics();
    expect(text).toContain('csdl_alerts_total{alert="BATCH_FAILED"} 2');
    expect(text).toContain('csdl_alerts_total{alert="TRANSFER_FAILED"} 1');
  });
});
