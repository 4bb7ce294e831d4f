// The national simulator's records (§5), transfer requests and their acknowledgement (§7), fault
// injection and counters (/_sim), the body limit, and persistence across restarts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNationalRecordDocument, buildRecordDocument, parsePulledRecordDocument } from '../../../src/exchange/xml/record-document.ts';
import { parseTransferRequestDocument } from '../../../src/exchange/xml/transfer-request-document.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import type { RunningSimulator } from '../../../src/simulator/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { CLIENT, createSimDatabase, entry, SENDER, sampleHoSo, signedBatch, startTestSimulator, type SimDatabase } from './harness.ts';
import { apiHeaders, basic, fetchToken, postBatch, raw } from './http.ts';

let db: SimDatabase;
let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  db = await createSimDatabase();
  sim = await startTestSimulator(db.url);
  token = await fetchToken(sim.url);
});

afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

describe('GET /records/{personalId} (§5)', () => {
  it('answers a pre-loaded record, signed by the national signer', async () => {
    const hoSo = sampleHoSo(301);
    const loaded = await sim.sim.preloadRecord({ hoSo, version: 7, holderCode: 'G09.20' });
    expect(loaded).toEqual({ personalId: hoSo.SoDinhDanh, version: 7, holderCode: 'G09.20' });
    const r = await raw(`${sim.url}/records/${hoSo.SoDinhDanh}`, { headers: apiHeaders(token) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ personalId: hoSo.SoDinhDanh, version: 7, holderCode: 'G09.20' });
    const payload = Buffer.from(r.body.payload, 'base64');
    const signature = Buffer.from(r.body.signature, 'base64');
    expect(payload.equals(buildNationalRecordDocument({ hoSo, thaoTac: 'THEM_MOI', phienBan: 7 }))).toBe(true);
    const pki = await getTestPki();
    const verified = await verifyDetached(payload, signature, { trustAnchors: pki.nationalTrustAnchors });
    expect(verified.subject).toMatch(/CSDL quốc gia/);
    expect(parsePulledRecordDocument(payload, { maxBytes: 1 << 20, version: 7 }).hoSo.SoDinhDanh).toBe(hoSo.SoDinhDanh);
    const again = await raw(`${sim.url}/records/${hoSo.SoDinhDanh}`, { headers: apiHeaders(token) });
    expect(again.body.signature).toBe(r.body.signature);
  });

  it('answers a record received in a batch, with its version and holder', async () => {
    const b = await signedBatch({ entries: [entry(302, 4)] });
    expect((await postBatch(sim.url, token, b)).body.status).toBe('ACCEPTED');
    const r = await raw(`${sim.url}/records/${sampleHoSo(302).SoDinhDanh}`, { headers: apiHeaders(token) });
    expect(r.body).toMatchObject({ version: 4, holderCode: 'H55.19' });
    // §6: the HoSo element exactly as the batch carried it, attributes included, the namespace declared on it.
    const element = /<HoSo [^>]*>[\s\S]*<\/HoSo>/.exec(b.payload.toString('utf8'))?.[0] ?? '';
    expect(element).toMatch(/^<HoSo thaoTac="CAP_NHAT" phienBan="4">/);
    const served = Buffer.from(r.body.payload, 'base64').toString('utf8');
    expect(served).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${element.replace('<HoSo ', '<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1" ')}\n`);
  });

  it('pre-loads over HTTP too', async () => {
    const document = buildRecordDocument(sampleHoSo(303)).toString('base64');
    const r = await raw(`${sim.url}/_sim/records`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document, version: 2 }),
    });
    expect(r).toMatchObject({ status: 201, body: { personalId: sampleHoSo(303).SoDinhDanh, version: 2, holderCode: 'H55.19' } });
  });

  it('answers 404 RECORD_NOT_FOUND for an unknown person and 400 for a malformed id', async () => {
    expect(await raw(`${sim.url}/records/001085999999`, { headers: apiHeaders(token) })).toMatchObject({ status: 404, body: { code: 'RECORD_NOT_FOUND' } });
    expect(await raw(`${sim.url}/records/12345`, { headers: apiHeaders(token) })).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });
});

describe('transfer requests (§7)', () => {
  let gateway: Server;
  let gatewayUrl: string;
  const received: Array<{ url: string | undefined; headers: IncomingMessage['headers']; body: any }> = [];

  beforeAll(async () => {
    gateway = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      req.on('end', () => {
        const body = JSON.parse(text);
        received.push({ url: req.url, headers: req.headers, body });
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ requestId: body.requestId, status: 'QUEUED' }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

  const fields = { personalId: sampleHoSo(401).SoDinhDanh, fromAgencyCode: 'G09.20', toAgencyCode: 'H55.19.05', decisionNo: '123/QĐ-UBND', effectiveDate: '2026-12-01' };

  it('sends a signed request whose JSON fields equal the signed document, without a bearer token', async () => {
    const sent = await sim.sim.sendTransferRequest(gatewayUrl, { ...fields, requestId: 'TR-401' });
    expect(sent).toEqual({ requestId: 'TR-401', status: 202, body: { requestId: 'TR-401', status: 'QUEUED' } });
    const got = received.at(-1)!;
    expect(got.url).toBe('/api/v1/inbound/transfer-requests');
    expect(got.headers.authorization).toBeUndefined();
    expect(got.body).toMatchObject({ requestId: 'TR-401', ...fields });
    const payload = Buffer.from(got.body.payload, 'base64');
    expect(parseTransferRequestDocument(payload, { maxBytes: 65536 })).toEqual({ requestId: 'TR-401', ...fields });
    const pki = await getTestPki();
    await verifyDetached(payload, Buffer.from(got.body.signature, 'base64'), { trustAnchors: pki.nationalTrustAnchors });
  });

  it('sends over the admin endpoint too, with a generated request id', async () => {
    const r = await raw(`${sim.url}/_sim/transfer-requests`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gatewayUrl, ...fields }),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 202 });
    expect(received.at(-1)!.body.requestId).toBe(r.body.requestId);
  });

  it('accepts the acknowledgement once, again identically, and refuses a different one', async () => {
    await sim.sim.sendTransferRequest(gatewayUrl, { ...fields, requestId: 'TR-402' });
    const ack = (body: unknown) => raw(`${sim.url}/transfer-requests/TR-402/ack`, {
      method: 'POST', headers: apiHeaders(token, { 'content-type': 'application/json' }), body: JSON.stringify(body),
    });
    expect(await ack({ status: 'IMPORTED', reason: null })).toMatchObject({ status: 200, body: { requestId: 'TR-402', status: 'IMPORTED' } });
    expect(await ack({ status: 'IMPORTED', reason: null })).toMatchObject({ status: 200, body: { status: 'IMPORTED' } });
    expect(await ack({ status: 'REJECTED', reason: 'x' })).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_MISMATCH' } });
    expect(await ack({ status: 'LOST' })).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const unknown = await raw(`${sim.url}/transfer-requests/NOPE/ack`, {
      method: 'POST', headers: apiHeaders(token, { 'content-type': 'application/json' }), body: JSON.stringify({ status: 'IMPORTED' }),
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await sim.sim.stats()).stored).toMatchObject({ transferRequests: 3, acknowledged: 1 });
  });
});

describe('fault injection and counters (/_sim)', () => {
  const lookup = () => raw(`${sim.url}/batches/NEVER`, { headers: apiHeaders(token) });

  it('draws faults from a seeded PRNG: the same seed gives the same sequence', async () => {
    const run = async () => {
      const put = await raw(`${sim.url}/_sim/faults`, {
        method: 'PUT', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seed: 42, rules: [{ action: 'status', status: 503, rate: 0.5, routes: ['getBatch'] }] }),
      });
      expect(put.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 16; i += 1) statuses.push((await lookup()).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(404);
    sim.sim.setFaults({ rules: [] });
  });

  it('applies a rule a limited number of times, with Retry-After', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 429, retryAfter: '3', times: 2 }] });
    const a = await lookup();
    const b = await lookup();
    const c = await lookup();
    expect([a.status, b.status, c.status]).toEqual([429, 429, 404]);
    expect(a.headers['retry-after']).toBe('3');
    expect(a.body).toMatchObject({ code: 'RATE_LIMITED', details: { injected: true } });
    const faults = (await raw(`${sim.url}/_sim/faults`)).body;
    expect(faults.injected.status).toBeGreaterThanOrEqual(2);
    sim.sim.setFaults({ rules: [] });
  });

  it('refuses an invalid fault plan', async () => {
    const r = await raw(`${sim.url}/_sim/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ action: 'explode' }] }),
    });
    expect(r).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
  });

  it('drops the connection before processing (reset-before)', async () => {
    sim.sim.setFaults({ rules: [{ action: 'reset-before', times: 1 }] });
    await expect(lookup()).rejects.toMatchObject({ code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/) });
    expect((await lookup()).status).toBe(404);
  });

  it('counts calls, push attempts and stored data, and resets the counters', async () => {
    const stats = (await raw(`${sim.url}/_sim/stats`)).body;
    expect(stats.calls.getBatch).toBeGreaterThan(10);
    expect(stats.stored.records).toBeGreaterThanOrEqual(3);
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(1);
    expect((await raw(`${sim.url}/_sim/stats`, { method: 'DELETE' })).status).toBe(204);
    expect((await raw(`${sim.url}/_sim/stats`)).body).toMatchObject({ calls: {}, pushAttempts: 0, tokensIssued: 0 });
  });
});

describe('limits and persistence', () => {
  it('answers 413 PAYLOAD_TOO_LARGE over the body limit', async () => {
    const small = await startTestSimulator(db.url, { maxBodyBytes: 64 * 1024 });
    try {
      const t = await fetchToken(small.url);
      const b = await signedBatch({ entries: [entry(501)] });
      const r = await postBatch(small.url, t, b, { overrides: { filler: 'x'.repeat(100 * 1024) } });
      expect(r).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    } finally {
      await small.close();
    }
  });

  it('keeps batches, records and tokens across a restart', async () => {
    const b = await signedBatch({ entries: [entry(601)] });
    const first = await postBatch(sim.url, token, b);
    await sim.close();
    sim = await startTestSimulator(db.url);
    const looked = await raw(`${sim.url}/batches/${b.batchId}`, { headers: apiHeaders(token) });
    expect(looked).toMatchObject({ status: 200, body: first.body });
    const replay = await postBatch(sim.url, token, b);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await raw(`${sim.url}/records/${sampleHoSo(601).SoDinhDanh}`, { headers: apiHeaders(token) })).status).toBe(200);
  });

  it('protects /_sim with the admin key when one is configured', async () => {
    const guarded = await startTestSimulator(db.url, { adminKey: 'k-123' });
    try {
      expect(await raw(`${guarded.url}/_sim/stats`)).toMatchObject({ status: 401, body: { code: 'AUTHEN_ERROR' } });
      expect((await raw(`${guarded.url}/_sim/stats`, { headers: { 'x-sim-admin-key': 'k-123' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('keeps separate data in separate schemas', async () => {
    const other = await startTestSimulator(db.url, { schema: 'national_sim_other' });
    try {
      const t = await fetchToken(other.url);
      expect((await raw(`${other.url}/records/${sampleHoSo(601).SoDinhDanh}`, { headers: apiHeaders(t) })).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('per-sender accounting of §4 (/_sim/stats → senders)', () => {
  const lookUp = () => raw(`${sim.url}/batches/H55-NEVER-SENT`, { headers: apiHeaders(token) });
  const tokenCall = () => raw(`${sim.url}/token`, {
    method: 'POST', headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const sender = async () => (await sim.sim.stats()).senders[SENDER]!;

  it('counts calls in flight per sender across connections, token calls included, and the excess over 4', async () => {
    sim.sim.resetStats();
    sim.sim.setFaults({ rules: [{ action: 'delay', delayMs: 300, routes: ['getBatch', 'token'] }] });
    // undici's global pool opens one connection per concurrent request.
    const answers = await Promise.all([lookUp(), lookUp(), lookUp(), lookUp(), tokenCall(), lookUp()]);
    sim.sim.setFaults({ rules: [] });
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404, 404, 404]);
    expect(await sender()).toMatchObject({ inFlight: 0, maxInFlight: 6, calls: 6, excess: 2 });
  });

  it('answers the token route 429 or 503 with Retry-After, and counts the sender\'s calls that come before it elapsed', async () => {
    sim.sim.resetStats();
    sim.sim.setFaults({ rules: [
      { action: 'status', status: 429, retryAfter: '2', times: 1, routes: ['token'] },
      { action: 'status', status: 503, retryAfter: '1', times: 1, routes: ['token'] },
    ] });
    const limited = await tokenCall();
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(limited.headers['retry-after']).toBe('2');
    expect(await lookUp()).toMatchObject({ status: 404 }); // within the grace: set out before it could know
    await new Promise((r) => setTimeout(r, 300));
    expect(await lookUp()).toMatchObject({ status: 404 }); // early, by about 1.7 s
    const unavailable = await tokenCall();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('1');
    sim.sim.setFaults({ rules: [] });
    const s = await sender();
    expect(s.retryAfterAnswers).toBe(2);
    expect(s.racing.count).toBe(1);
    expect(s.early.count).toBe(2);
    expect(s.early.maxMs).toBeGreaterThan(1_400);
    expect(s.early.maxMs).toBeLessThanOrEqual(1_710);
  });
});
