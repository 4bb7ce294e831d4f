import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchEnvelopeBody, type BatchSubmission } from '../../../src/exchange/national-contract.ts';

// Payload bytes per streamed chunk (3 × 16384): the boundaries worth testing sit around it.
const SLICE = 49_152;

function batch(payload: Buffer, overrides: Partial<BatchSubmission> = {}): BatchSubmission {
  return {
    batchId: 'H55-2026-11-0001', senderCode: 'H55.19', period: '2026-11', recordCount: 1000,
    payloadSha256: 'ab'.repeat(32), payload, signature: randomBytes(1234), ...overrides,
  };
}

/** What §4 says the body is: the envelope through JSON.stringify, all at once. */
function expected(b: BatchSubmission): Buffer {
  return Buffer.from(JSON.stringify({
    batchId: b.batchId, senderCode: b.senderCode, period: b.period, recordCount: b.recordCount,
    payloadSha256: b.payloadSha256, payload: b.payload.toString('base64'), signature: b.signature.toString('base64'),
  }), 'utf8');
}

function streamed(b: BatchSubmission): { bytes: Buffer; length: number; chunks: Buffer[] } {
  const body = batchEnvelopeBody(b);
  const chunks = [...body.chunks()];
  return { bytes: Buffer.concat(chunks), length: body.length, chunks };
}

describe('batchEnvelopeBody (§4 body, streamed)', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, SLICE - 1, SLICE, SLICE + 1, 2 * SLICE + 2, 5 * 1024 * 1024 + 1])(
    'payload of %i bytes: the same bytes as JSON.stringify, and the exact length',
    (size) => {
      const b = batch(randomBytes(size));
      const { bytes, length } = streamed(b);
      expect(bytes.equals(expected(b))).toBe(true);
      expect(length).toBe(bytes.length);
    },
  );

  it('pads only the last payload chunk, 64 KiB of base64 each before it', () => {
    const { chunks } = streamed(batch(randomBytes(2 * SLICE + 2)));
    const payloadChunks = chunks.slice(1, -1);
    expect(payloadChunks.map((c) => c.length)).toEqual([65_536, 65_536, 4]);
    expect(payloadChunks.slice(0, -1).every((c) => !c.includes('='))).toBe(true);
  });

  it('escapes the scalars as JSON.stringify does, counts UTF-8 bytes, and writes a null period', () => {
    const b = batch(randomBytes(10), { batchId: 'A"\\b\n', senderCode: 'Hà Nội ✓', period: null });
    const { bytes, length } = streamed(b);
    expect(bytes.equals(expected(b))).toBe(true);
    expect(length).toBe(bytes.length);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ batchId: 'A"\\b\n', senderCode: 'Hà Nội ✓', period: null });
  });

  it('gives a new pass over the same bytes on every call of chunks() (one per HTTP attempt)', () => {
    const body = batchEnvelopeBody(batch(randomBytes(SLICE + 7)));
    const first = Buffer.concat([...body.chunks()]);
    expect(Buffer.concat([...body.chunks()]).equals(first)).toBe(true);
  });
});
