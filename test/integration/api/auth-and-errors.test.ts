import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { issueDevToken } from '../../../src/auth/dev-token.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => t?.close());

const tree = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/agencies/tree', headers });

describe('authentication', () => {
  it('refuses a request without a token', async () => {
    const res = await tree({});
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', details: null });
    expect(res.json().message).toMatch(/đăng nhập/);
  });

  it('refuses a token signed by another key, an expired token, a wrong audience and bad claims', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ role: 'ADMIN', agency: 'H55' }).setProtectedHeader({ alg: 'ES256' })
      .setSubject('x').setAudience('csdl-gateway').setExpirationTime('1h').sign(privateKey);
    expect((await tree(bearer(forged))).json().code).toBe('TOKEN_INVALID');
    const expired = await issueDevToken({ role: 'ADMIN', agency: 'H55', expiresIn: '-1m' });
    expect((await tree(bearer(expired))).json().details.reason).toBe('ERR_JWT_EXPIRED');
    const otherAudience = await issueDevToken({ role: 'ADMIN', agency: 'H55', audience: 'elsewhere' });
    expect((await tree(bearer(otherAudience))).statusCode).toBe(401);
    const badRole = await issueDevToken({ role: 'ROOT' as never, agency: 'H55' });
    expect((await tree(bearer(badRole))).json()).toMatchObject({ code: 'TOKEN_INVALID', details: { reason: 'CLAIMS' } });
    expect((await tree({ authorization: 'Basic abc' })).json().code).toBe('UNAUTHENTICATED');
  });
});

describe('error shape', () => {
  it('answers malformed JSON with MALFORMED_JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import',
      headers: { ...bearer(await t.token('ADMIN', 'H55')), 'content-type': 'application/json' }, payload: '{"agencies": [' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'MALFORMED_JSON', message: 'Nội dung JSON không đọc được.', details: { reason: 'INVALID_JSON' } });
    // The parser's message quotes the input: it is never echoed.
    const quoted = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import',
      headers: { ...bearer(await t.token('ADMIN', 'H55')), 'content-type': 'application/json' }, payload: '{"agencies": <script>secret</script>' });
    expect(quoted.json()).toEqual({ code: 'MALFORMED_JSON', message: 'Nội dung JSON không đọc được.', details: { reason: 'INVALID_JSON' } });
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import',
      headers: { ...bearer(await t.token('ADMIN', 'H55')), 'content-type': 'application/json' }, payload: '' });
    expect(empty.json()).toMatchObject({ code: 'MALFORMED_JSON', details: { reason: 'EMPTY_BODY' } });
  });

  it('answers wrong types with VALIDATION_FAILED and the path', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers: bearer(await t.token('ADMIN', 'H55')),
      payload: { agencies: [{ code: 5, name: 'x', extra: true }] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('answers an oversized body with PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers: bearer(await t.token('ADMIN', 'H55')),
      payload: { agencies: [{ code: 'H55.01', name: 'x'.repeat(100_000) }] } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { reason: 'BODY_TOO_LARGE' } });
  });

  it('answers an unknown route with ROUTE_NOT_FOUND and an unsupported type with UNSUPPORTED_MEDIA_TYPE', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/nothing' })).json().code).toBe('ROUTE_NOT_FOUND');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import',
      headers: { ...bearer(await t.token('ADMIN', 'H55')), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { reason: 'MEDIA_TYPE' } });
  });

  it('serves OpenAPI at /docs with schemas for the routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3/);
    expect(Object.keys(doc.paths)).toContain('/api/v1/persons/{personalId}');
  });

  it('answers /health', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
  });
});
