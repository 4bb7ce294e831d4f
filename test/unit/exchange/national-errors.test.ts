import { describe, expect, it } from 'vitest';
import {
  classifyAnswer, classifyTokenAnswer, classifyTransportError, isFinalFailure, outcomeError, transportErrorCodes,
  type Answer,
} from '../../../src/exchange/national-errors.ts';
import { GatewayError } from '../../../src/errors.ts';

const now = Date.parse('2026-11-30T16:00:00Z');
const answer = (status: number, body?: unknown, headers: Answer['headers'] = {}, notFoundCode?: Answer['notFoundCode']): Answer =>
  ({ status, body, headers, now, ...(notFoundCode ? { notFoundCode } : {}) });
const err = (code: string): Error & { code: string } => Object.assign(new Error(code), { code });

describe('classifyAnswer: every row of the §4 table', () => {
  const receipt = { receiptId: 'r1', batchId: 'b1', status: 'ACCEPTED', accepted: 1, rejected: [], receivedAt: 'x' };
  const rows: Array<[string, Answer, Record<string, unknown>]> = [
    ['200 receipt', answer(200, receipt), { kind: 'success', status: 200, value: receipt }],
    ['200 + Idempotent-Replayed', answer(200, receipt, { 'idempotent-replayed': 'true' }), { kind: 'replayed', value: receipt }],
    ['200 + Idempotent-Replayed: false', answer(200, receipt, { 'idempotent-replayed': 'false' }), { kind: 'success' }],
    ['400 BAD_REQUEST', answer(400, { code: 'BAD_REQUEST' }), { kind: 'permanent', code: 'BAD_REQUEST', alert: true, status: 400 }],
    ['400 BAD_PAYLOAD', answer(400, { code: 'BAD_PAYLOAD', message: 'Tài liệu XML không hợp lệ.' }), { kind: 'permanent', code: 'BAD_PAYLOAD', alert: true }],
    ['400 other code', answer(400, { code: 'WHATEVER' }), { kind: 'permanent', code: 'BAD_REQUEST', alert: true }],
    ['401 TOKEN_EXPIRED', answer(401, { code: 'TOKEN_EXPIRED' }), { kind: 'tokenExpired', status: 401 }],
    ['401 AUTHEN_ERROR', answer(401, { code: 'AUTHEN_ERROR' }), { kind: 'permanent', code: 'AUTHEN_ERROR', alert: true }],
    ['401 without body', answer(401), { kind: 'permanent', code: 'AUTHEN_ERROR', alert: true }],
    ['403 IP_DISALLOWED', answer(403, { code: 'IP_DISALLOWED' }), { kind: 'permanent', code: 'IP_DISALLOWED', alert: true }],
    ['403 SENDER_NOT_ALLOWED', answer(403, { code: 'SENDER_NOT_ALLOWED' }), { kind: 'permanent', code: 'SENDER_NOT_ALLOWED', alert: true }],
    ['403 other', answer(403, { code: 'NOPE' }), { kind: 'permanent', code: 'NATIONAL_REJECTED', alert: true }],
    ['409 IDEMPOTENCY_MISMATCH', answer(409, { code: 'IDEMPOTENCY_MISMATCH' }), { kind: 'permanent', code: 'IDEMPOTENCY_MISMATCH', alert: true }],
    ['413 PAYLOAD_TOO_LARGE', answer(413, { code: 'PAYLOAD_TOO_LARGE' }), { kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', alert: true }],
    ['413 from a proxy, HTML', answer(413, undefined), { kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', alert: true }],
    ...(['BAD_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'DIGEST_MISMATCH', 'COUNT_MISMATCH'].map(
      (code) => [`422 ${code}`, answer(422, { code }), { kind: 'permanent', code, alert: true, status: 422 }] as [string, Answer, Record<string, unknown>],
    )),
    ['422 code of another row', answer(422, { code: 'IDEMPOTENCY_MISMATCH' }), { kind: 'permanent', code: 'NATIONAL_REJECTED' }],
    ['429 Retry-After seconds', answer(429, { code: 'RATE_LIMITED' }, { 'retry-after': '30' }), { kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: 30_000 }],
    ['429 Retry-After HTTP-date', answer(429, { code: 'RATE_LIMITED' }, { 'retry-after': new Date(now + 12_000).toUTCString() }), { kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: 12_000 }],
    ['429 without Retry-After', answer(429, { code: 'RATE_LIMITED' }), { kind: 'transient', code: 'RATE_LIMITED' }],
    ['500', answer(500, { code: 'INTERNAL' }), { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 500 }],
    ['502 HTML', answer(502), { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 502 }],
    ['503 + Retry-After', answer(503, undefined, { 'retry-after': '5' }), { kind: 'transient', retryAfterMs: 5_000 }],
    ['504', answer(504), { kind: 'transient', status: 504 }],
    ['501 is not in the table', answer(501), { kind: 'permanent', code: 'NATIONAL_REJECTED' }],
    ['404 NOT_FOUND on GET /batches', answer(404, { code: 'NOT_FOUND' }, {}, 'NOT_FOUND'), { kind: 'notFound', code: 'NOT_FOUND' }],
    ['404 RECORD_NOT_FOUND', answer(404, { code: 'RECORD_NOT_FOUND' }, {}, 'RECORD_NOT_FOUND'), { kind: 'notFound', code: 'RECORD_NOT_FOUND' }],
    ['404 without the expected code', answer(404, undefined, {}, 'NOT_FOUND'), { kind: 'permanent', code: 'NATIONAL_REJECTED' }],
    ['404 where none is expected', answer(404, { code: 'NOT_FOUND' }), { kind: 'permanent', code: 'NATIONAL_REJECTED' }],
  ];
  it.each(rows)('%s', (_name, a, expected) => {
    expect(classifyAnswer(a)).toMatchObject(expected);
  });

  it('keeps the national code and message in details', () => {
    const o = classifyAnswer(answer(422, { code: 'CERT_REVOKED', message: 'Chứng thư số đã bị thu hồi', details: { serial: '01' } }));
    expect(o).toMatchObject({ details: { status: 422, nationalCode: 'CERT_REVOKED', details: { serial: '01' } } });
  });
});

describe('classifyTokenAnswer', () => {
  it.each([
    [answer(200, { access_token: 't' }), { kind: 'success' }],
    [answer(401, { error: 'invalid_client' }), { kind: 'permanent', code: 'AUTHEN_ERROR', alert: true }],
    [answer(400, { error: 'unsupported_grant_type' }), { kind: 'permanent', code: 'AUTHEN_ERROR' }],
    [answer(503), { kind: 'transient', code: 'NATIONAL_UNAVAILABLE' }],
    [answer(429, undefined, { 'retry-after': '2' }), { kind: 'transient', retryAfterMs: 2_000 }],
  ])('%# %o', (a, expected) => {
    expect(classifyTokenAnswer(a)).toMatchObject(expected);
  });
});

describe('classifyTransportError', () => {
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'transient'],
    ['ECONNREFUSED', 'transient'],
    ['ENOTFOUND', 'transient'],
    ['EAI_AGAIN', 'transient'],
    ['EHOSTUNREACH', 'transient'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'transient'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'transient'],
    ['ECONNRESET', 'unknown'],
    ['EPIPE', 'unknown'],
    ['UND_ERR_SOCKET', 'unknown'],
    ['UND_ERR_HEADERS_TIMEOUT', 'unknown'],
    ['UND_ERR_BODY_TIMEOUT', 'unknown'],
    ['UND_ERR_CLOSED', 'unknown'],
    ['HPE_INVALID_CONSTANT', 'unknown'],
    ['UND_ERR_INVALID_ARG', 'permanent'],
    ['UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'permanent'],
  ])('%s → %s', (code, kind) => {
    expect(classifyTransportError(err(code)).kind).toBe(kind);
  });

  it('an error without a code is unknown (ask before resending)', () => {
    expect(classifyTransportError(new Error('weird'))).toMatchObject({ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' });
  });
  it('reads codes through cause chains and AggregateError members (happy eyeballs)', () => {
    const agg = Object.assign(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'all failed'), { code: 'ECONNREFUSED' });
    const wrapped = new TypeError('fetch failed', { cause: agg });
    expect(transportErrorCodes(wrapped)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    expect(classifyTransportError(wrapped).kind).toBe('transient');
  });
  it('a connect failure mixed with a reset is unknown', () => {
    const e = new Error('x', { cause: Object.assign(new AggregateError([err('ECONNREFUSED'), err('ECONNRESET')]), {}) });
    expect(classifyTransportError(e).kind).toBe('unknown');
  });
});

describe('outcomes as errors', () => {
  it('carries the outcome for the BullMQ backoff strategy', () => {
    const outcome = { kind: 'permanent', code: 'CERT_REVOKED', alert: true, status: 422 } as const;
    const e = outcomeError(outcome);
    expect(e).toBeInstanceOf(GatewayError);
    expect(e.code).toBe('CERT_REVOKED');
    expect(e.details).toEqual({ outcome });
    expect(outcomeError({ kind: 'tokenExpired', status: 401 }).code).toBe('TOKEN_EXPIRED');
    expect(outcomeError({ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' }).code).toBe('NATIONAL_UNAVAILABLE');
  });
  it('tells which failures are final', () => {
    expect(isFinalFailure({ kind: 'permanent' })).toBe(true);
    expect(isFinalFailure({ kind: 'tokenExpired' })).toBe(true);
    expect(isFinalFailure({ kind: 'transient' })).toBe(false);
    expect(isFinalFailure({ kind: 'unknown' })).toBe(false);
  });
});
