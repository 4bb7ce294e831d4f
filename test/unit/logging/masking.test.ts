// Personal ids never reach a log line.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, maskPersonalIds } from '../../../src/logger.ts';

describe('personal ids in logs', () => {
  it('masks every 12-digit run, keeping the province code and the last two digits', () => {
    expect(maskPersonalIds('/api/v1/persons/001085012345/status')).toBe('/api/v1/persons/001*******45/status');
    expect(maskPersonalIds('a 0010850123456 b')).toBe('a 0010850123456 b'); // 13 digits: not an id
    expect(maskPersonalIds('001085012345,079190000001')).toBe('001*******45,079*******01');
  });

  it('redacts the known fields and masks URLs in request logs', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger('info', { destination: sink });
    logger.info({ personalId: '001085012345', nested: { personalId: '079190000001' }, req: { method: 'GET', url: '/persons/001085012345' } }, 'read');
    const text = lines.join('');
    expect(text).not.toMatch(/001085012345|079190000001/);
    expect(text).toContain('001*******45');
  });
});
