// The national simulator's token endpoint, platform checks and POST/GET /batches (NATIONAL_API.md
// §2, §4), over HTTP on 127.0.0.1 with a real PostgreSQL and the test PKI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPersonalId } from '../../../src/domain/personal-id.ts';
import type { RunningSimulator } from '../../../src/simulator/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { CLIENT, createSimDatabase, entry, sampleHoSo, SENDER, signedBatch, startTestSimulator, type SimDatabase } from './harness.ts';
import { apiHeaders, basic, fetchToken, postBatch, raw } from './http.ts';

let db: SimDatabase;
let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  db = await createSimDatabase();
  sim = await startTestSimulator(db.url, {
    clients: [
      CLIENT,
      { clientId: 'walled', clientSecret: 'walled-secret', senderCodes: [SENDER], allowedIps: ['10.9.9.9'] },
      { clientId: 'other-province', clientSecret: 'other-secret', senderCodes: ['H56.19', 'H55.19'] },
    ],
  });
  token = await fetchToken(sim.url);
});

afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

describe('POST /token (§2)', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('issues a one-hour bearer token for good client credentials', async () => {
    const r = await raw(`${sim.url}/token`, {
      method: 'POST', headers: { ...form, authorization: basic(CLIENT.clientId, CLIENT.clientSecret) }, body: 'grant_type=client_credentials',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'am_application_scope default' });
    expect(r.body.access_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it.each([
    ['a wrong secret', basic(CLIENT.clientId, 'nope')],
    ['an unknown client', basic('ghost', 'x')],
    ['no credentials', ''],
  ])('answers 401 invalid_client for %s', async (_name, authorization) => {
    const r = await raw(`${sim.url}/token`, { method: 'POST', headers: { ...form, authorization }, body: 'grant_type=client_credentials' });
    expect(r).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('answers 401 TOKEN_EXPIRED once a token outlives tokenTtlSeconds', async () => {
    let now = Date.now();
    const clocked = await startTestSimulator(db.url, { now: () => new Date(now), tokenTtlSeconds: 60, schema: 'national_sim_ttl' });
    try {
      const t = await fetchToken(clocked.url);
      expect((await raw(`${clocked.url}/batches/NEVER`, { headers: apiHeaders(t) })).status).toBe(404);
      now += 60_000;
      expect(await raw(`${clocked.url}/batches/NEVER`, { headers: apiHeaders(t) })).toMatchObject({ status: 401, body: { code: 'TOKEN_EXPIRED' } });
    } finally {
      await clocked.close();
    }
  });

  it('refuses another grant type', async () => {
    const r = await raw(`${sim.url}/token`, {
      method: 'POST', headers: { ...form, authorization: basic(CLIENT.clientId, CLIENT.clientSecret) }, body: 'grant_type=password',
    });
    expect(r).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});

describe('platform checks on every call', () => {
  const lookup = (headers: Record<string, string>) => raw(`${sim.url}/batches/NEVER-SENT`, { headers });

  it('answers 404 NOT_FOUND for a batch that never arrived, with a Vietnamese message', async () => {
    const r = await lookup(apiHeaders(token));
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'NOT_FOUND', details: null });
    expect(r.body.message).toMatch(/Không tìm thấy/);
  });
  it('refuses a missing or unknown bearer token with AUTHEN_ERROR', async () => {
    const { authorization: _drop, ...noBearer } = apiHeaders(token);
    expect(await lookup(noBearer)).toMatchObject({ status: 401, body: { code: 'AUTHEN_ERROR' } });
    expect(await lookup(apiHeaders('not-a-token'))).toMatchObject({ status: 401, body: { code: 'AUTHEN_ERROR' } });
  });
  it('requires X-Request-Id as a UUID and X-Sender-Code', async () => {
    expect(await lookup(apiHeaders(token, { 'x-request-id': 'abc' }))).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', details: { header: 'X-Request-Id' } } });
    const { 'x-sender-code': _s, ...noSender } = apiHeaders(token);
    expect(await lookup(noSender)).toMatchObject({ status: 400, body: { details: { header: 'X-Sender-Code' } } });
  });
  it('refuses a sender code the client may not use', async () => {
    expect(await lookup(apiHeaders(token, { 'x-sender-code': 'H56.19' }))).toMatchObject({ status: 403, body: { code: 'SENDER_NOT_ALLOWED' } });
  });
  it('refuses a client outside its IP allow-list', async () => {
    const walled = await fetchToken(sim.url, 'walled', 'walled-secret');
    expect(await lookup(apiHeaders(walled))).toMatchObject({ status: 403, body: { code: 'IP_DISALLOWED' } });
  });
});

describe('POST /batches (§4)', () => {
  it('accepts a signed batch, stores its records and answers the receipt', async () => {
    const b = await signedBatch({ entries: [entry(101), entry(102)] });
    const r = await postBatch(sim.url, token, b);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ batchId: b.batchId, status: 'ACCEPTED', accepted: 2, rejected: [] });
    expect(r.body.receiptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(r.body.receivedAt))).toBe(false);
    expect(r.headers['idempotent-replayed']).toBeUndefined();
    const looked = await raw(`${sim.url}/batches/${b.batchId}`, { headers: apiHeaders(token) });
    expect(looked).toMatchObject({ status: 200, body: r.body });
  });

  it('answers the first receipt again for the same batchId and payload, and 409 for other content', async () => {
    const b = await signedBatch({ entries: [entry(111)] });
    const first = await postBatch(sim.url, token, b);
    const again = await postBatch(sim.url, token, b);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const changed = await signedBatch({ batchId: b.batchId, entries: [entry(111), entry(112)] });
    expect(await postBatch(sim.url, token, changed)).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_MISMATCH' } });
  });

  it('stores a batch once when the same push arrives twice at the same time', async () => {
    const b = await signedBatch({ entries: [entry(121)] });
    const [x, y] = await Promise.all([postBatch(sim.url, token, b), postBatch(sim.url, token, b)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.receiptId).toBe(y.body.receiptId);
    expect([x.headers['idempotent-replayed'], y.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
  });

  it.each([
    ['Idempotency-Key differs from batchId', { headers: { 'idempotency-key': 'OTHER' } }],
    ['a field is missing', { overrides: { recordCount: undefined } }],
    ['an unknown field', { overrides: { extra: 1 } }],
    ['recordCount is a string', { overrides: { recordCount: '1' } }],
    ['a bad period', { overrides: { period: '2026-13' } }],
    ['a bad batchId', { overrides: { batchId: 'bad id!' }, headers: { 'idempotency-key': 'bad id!' } }],
    ['payload is not base64', { overrides: { payload: '%%%' } }],
  ])('answers 400 BAD_REQUEST when %s', async (_name, opts) => {
    const b = await signedBatch({ entries: [entry(131)] });
    expect(await postBatch(sim.url, token, b, opts as never)).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });

  it('answers 400 BAD_REQUEST for malformed JSON', async () => {
    const r = await raw(`${sim.url}/batches`, {
      method: 'POST', headers: apiHeaders(token, { 'content-type': 'application/json', 'idempotency-key': 'X' }), body: '{"batchId":',
    });
    expect(r).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });

  it('answers 403 SENDER_NOT_ALLOWED for a senderCode the client may not use', async () => {
    const b = await signedBatch({ entries: [entry(141)], senderCode: 'H56.19' });
    expect(await postBatch(sim.url, token, b)).toMatchObject({ status: 403, body: { code: 'SENDER_NOT_ALLOWED' } });
  });

  it('answers 422 DIGEST_MISMATCH when payloadSha256 is not the payload hash', async () => {
    const b = await signedBatch({ entries: [entry(151)] });
    expect(await postBatch(sim.url, token, b, { overrides: { payloadSha256: 'f'.repeat(64) } })).toMatchObject({ status: 422, body: { code: 'DIGEST_MISMATCH' } });
  });

  it.each([
    ['signed by a signer outside the province trust anchors', 'national-signer', 'CERT_UNTRUSTED'],
    ['signed with an expired certificate', 'expired-signer', 'CERT_EXPIRED'],
    ['signed with a revoked certificate', 'revoked-signer', 'CERT_REVOKED'],
    ['signed with a certificate not allowed to sign', 'keyenc-signer', 'CERT_UNTRUSTED'],
  ] as const)('answers 422 when %s', async (_name, signer, code) => {
    const pki = await getTestPki();
    const b = await signedBatch({ entries: [entry(161)], signer: pki.identity(signer) });
    expect(await postBatch(sim.url, token, b)).toMatchObject({ status: 422, body: { code } });
  });

  it('answers 422 BAD_SIGNATURE for a broken signature and DIGEST_MISMATCH for a signature over other bytes', async () => {
    const b = await signedBatch({ entries: [entry(171)] });
    const broken = Buffer.from(b.signature);
    broken[broken.length - 5] = broken[broken.length - 5]! ^ 0xff;
    expect(await postBatch(sim.url, token, { ...b, signature: broken })).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE' } });
    const other = await signedBatch({ entries: [entry(172)] });
    expect(await postBatch(sim.url, token, { ...b, signature: other.signature })).toMatchObject({ status: 422, body: { code: 'DIGEST_MISMATCH' } });
    expect(await postBatch(sim.url, token, { ...b, signature: Buffer.from('not cms') })).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE' } });
  });

  it('answers 400 BAD_PAYLOAD for a signed document that is not a batch, or disagrees with the envelope', async () => {
    const junk = await signedBatch({ entries: [], payload: Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>') });
    expect(await postBatch(sim.url, token, junk)).toMatchObject({ status: 400, body: { code: 'BAD_PAYLOAD' } });
    const b = await signedBatch({ entries: [entry(181)] });
    const wrongId = await signedBatch({ batchId: `${b.batchId}-X`, entries: [entry(181)], payload: b.payload });
    expect(await postBatch(sim.url, token, wrongId)).toMatchObject({ status: 400, body: { code: 'BAD_PAYLOAD', details: { path: 'ThongTinGoi/MaGoi' } } });
    const wrongPeriod = await signedBatch({ entries: [entry(182)], period: null });
    expect(await postBatch(sim.url, token, wrongPeriod, { overrides: { period: '2026-11' } })).toMatchObject({ status: 400, body: { code: 'BAD_PAYLOAD' } });
  });

  it('answers 422 COUNT_MISMATCH when recordCount differs from SoHoSo', async () => {
    const b = await signedBatch({ entries: [entry(191), entry(192)], recordCount: 3 });
    expect(await postBatch(sim.url, token, b)).toMatchObject({ status: 422, body: { code: 'COUNT_MISMATCH' } });
  });

  it('stores nothing for a batch refused as a whole, so the same batchId may come again', async () => {
    const b = await signedBatch({ entries: [entry(195)] });
    expect((await postBatch(sim.url, token, b, { overrides: { payloadSha256: '0'.repeat(64) } })).status).toBe(422);
    expect((await postBatch(sim.url, token, b)).status).toBe(200);
  });
});

describe('per-record checks (§6)', () => {
  it('rejects records one by one and answers PARTIAL', async () => {
    const womanBorn1985 = buildPersonalId({ provinceCode: 1, birthDate: '1985-03-12', gender: 'NU', random6: 203 });
    const b = await signedBatch({
      entries: [
        entry(201),
        entry(202, 1, { MaDonViSuDung: 'H56.01' }),
        { thaoTac: 'THEM_MOI', phienBan: 1, hoSo: { ...sampleHoSo(203), SoDinhDanh: womanBorn1985 } },
        entry(204, 1, { PheDuyet: [{ ...sampleHoSo(204).PheDuyet[0]!, Cap: 'CO_QUAN' }] }),
      ],
    });
    const r = await postBatch(sim.url, token, b);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'PARTIAL', accepted: 1 });
    expect(r.body.rejected.map((x: { code: string }) => x.code)).toEqual(['AGENCY_NOT_IN_PROVINCE', 'PERSONAL_ID_MISMATCH', 'NOT_APPROVED']);
    expect(r.body.rejected[0].personalId).toBe(sampleHoSo(202).SoDinhDanh);
    expect(r.body.rejected[0].message).toMatch(/^Hồ sơ thứ 2: /);
  });

  it('rejects a version that is not newer than the stored one (STALE_VERSION), also within one batch', async () => {
    const first = await signedBatch({ entries: [entry(211, 2), entry(212, 1)] });
    expect((await postBatch(sim.url, token, first)).body).toMatchObject({ status: 'ACCEPTED', accepted: 2 });
    const second = await signedBatch({ entries: [entry(211, 2), entry(211, 3), entry(212, 1), entry(212, 2), entry(212, 2)] });
    const r = await postBatch(sim.url, token, second);
    expect(r.body).toMatchObject({ status: 'PARTIAL', accepted: 2 });
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ personalId: sampleHoSo(211).SoDinhDanh, code: 'STALE_VERSION' }),
      expect.objectContaining({ personalId: sampleHoSo(212).SoDinhDanh, code: 'STALE_VERSION' }),
      expect.objectContaining({ personalId: sampleHoSo(212).SoDinhDanh, code: 'STALE_VERSION' }),
    ]);
    const stored = await raw(`${sim.url}/records/${sampleHoSo(212).SoDinhDanh}`, { headers: apiHeaders(token) });
    expect(stored.body).toMatchObject({ version: 2, holderCode: 'H55.19' });
  });

  it('counts a batch whose records are all rejected as PARTIAL with nothing accepted', async () => {
    const b = await signedBatch({ entries: [entry(221, 1, { MaDonViSuDung: 'H01.02' })] });
    expect((await postBatch(sim.url, token, b)).body).toMatchObject({ status: 'PARTIAL', accepted: 0 });
  });
});
