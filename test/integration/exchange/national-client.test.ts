// The gateway's national client against the real simulator (HTTP on 127.0.0.1, real PostgreSQL):
// the token (§2), the headers of every call, and every row of the §4 answer table classified.
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSubmission } from '../../../src/exchange/national-contract.ts';
import type { RunningSimulator } from '../../../src/simulator/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { CLIENT, createSimDatabase, entry, SENDER, signedBatch, startTestSimulator, type SimDatabase } from '../simulator/harness.ts';
import { clientFor, withClient } from './client-fixture.ts';

let db: SimDatabase;
let sim: RunningSimulator;
let small: RunningSimulator;

beforeAll(async () => {
  db = await createSimDatabase();
  const clients = [
    CLIENT,
    { clientId: 'walled', clientSecret: 'walled-secret', senderCodes: [SENDER], allowedIps: ['10.9.9.9'] },
  ];
  sim = await startTestSimulator(db.url, { clients });
  small = await startTestSimulator(db.url, { clients, maxBodyBytes: 64 * 1024 });
});

afterEach(() => {
  sim.sim.setFaults({ rules: [] });
});

afterAll(async () => {
  await sim?.close();
  await small?.close();
  await db?.drop();
});

const recent = async (n: number) => (await sim.sim.stats()).recent.slice(-n);

describe('token (§2)', () => {
  it('fetches one token for many calls, sequential and concurrent', async () => {
    sim.sim.resetStats();
    await withClient(sim, {}, async (client) => {
      await Promise.all(Array.from({ length: 6 }, () => client.getBatch('NEVER')));
      await client.getBatch('NEVER');
      await client.getBatch('NEVER');
      expect(client.tokenFetches).toBe(1);
    });
    const stats = await sim.sim.stats();
    expect(stats.tokensIssued).toBe(1);
    expect(stats.calls).toMatchObject({ token: 1, getBatch: 8 });
  });

  it('renews the token before it expires (80 % of expires_in)', async () => {
    let now = Date.now();
    await withClient(sim, { now: () => now }, async (client) => {
      await client.getBatch('NEVER');
      now += 2_879_000;
      await client.getBatch('NEVER');
      expect(client.tokenFetches).toBe(1);
      now += 2_000;
      await client.getBatch('NEVER');
      expect(client.tokenFetches).toBe(2);
    });
  });

  it('renews once on 401 TOKEN_EXPIRED and repeats the call with a new X-Request-Id', async () => {
    await withClient(sim, {}, async (client) => {
      await client.getBatch('NEVER');
      sim.sim.setFaults({ rules: [{ action: 'token-expired', times: 1 }] });
      const outcome = await client.getBatch('NEVER');
      expect(outcome).toMatchObject({ kind: 'notFound', code: 'NOT_FOUND' });
      expect(client.tokenFetches).toBe(2);
    });
    const [refused, token, repeated] = await recent(3);
    expect(refused).toMatchObject({ route: 'getBatch', hasBearer: true });
    expect(token).toMatchObject({ route: 'token' });
    expect(repeated).toMatchObject({ route: 'getBatch', hasBearer: true });
    expect(repeated!.requestId).not.toBe(refused!.requestId);
  });

  it('gives up after one renewal when the new token is refused too', async () => {
    await withClient(sim, {}, async (client) => {
      await client.getBatch('NEVER');
      sim.sim.setFaults({ rules: [{ action: 'token-expired' }] });
      expect(await client.getBatch('NEVER')).toEqual({ kind: 'tokenExpired', status: 401 });
      expect(client.tokenFetches).toBe(2);
    });
  });

  it('turns 401 invalid_client into a permanent AUTHEN_ERROR without calling the API', async () => {
    sim.sim.resetStats();
    await withClient(sim, { clientSecret: 'wrong' }, async (client) => {
      const b = await signedBatch({ entries: [entry(1001)] });
      expect(await client.pushBatch(b)).toMatchObject({ kind: 'permanent', code: 'AUTHEN_ERROR', alert: true, status: 401 });
    });
    expect((await sim.sim.stats()).calls).toEqual({ token: 1 });
  });
});

describe('headers of every call (§2, §4)', () => {
  it('sends Bearer, X-Sender-Code, Idempotency-Key and a new X-Request-Id per HTTP attempt', async () => {
    sim.sim.resetStats();
    const b = await signedBatch({ entries: [entry(1011)] });
    await withClient(sim, {}, async (client) => {
      await client.pushBatch(b);
      await client.pushBatch(b);
      await client.getBatch(b.batchId);
    });
    const calls = (await sim.sim.stats()).recent.filter((t) => t.route !== 'token');
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c).toMatchObject({ hasBearer: true, senderCode: SENDER });
      expect(c.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(calls.slice(0, 2).map((c) => c.idempotencyKey)).toEqual([b.batchId, b.batchId]);
    expect(new Set(calls.map((c) => c.requestId)).size).toBe(3);
  });
});

describe('a body of many chunks (the envelope is streamed, 64 KiB of base64 each)', () => {
  // About 600 bytes of payload per entry: some 180 KB, four chunks.
  const many = () => signedBatch({ entries: Array.from({ length: 300 }, (_, i) => entry(3000 + i)) });

  it('is accepted whole, and sent whole again after TOKEN_EXPIRED (a new pass over the bytes)', async () => {
    const b = await many();
    expect(b.payload.length).toBeGreaterThan(3 * 49_152);
    await withClient(sim, {}, async (client) => {
      await client.getBatch('NEVER');
      sim.sim.setFaults({ rules: [{ action: 'token-expired', times: 1, routes: ['pushBatch'] }] });
      sim.sim.resetStats();
      expect(await client.pushBatch(b)).toMatchObject({ kind: 'success', value: { batchId: b.batchId, status: 'ACCEPTED', accepted: 300 } });
      expect(client.tokenFetches).toBe(2);
    });
    expect((await sim.sim.stats()).calls).toMatchObject({ pushBatch: 2, token: 1 });
  });

  it('an answer before the body is read, and a reset in the middle of it, classify as before', async () => {
    const b = await signedBatch({ entries: [], payload: Buffer.alloc(8 * 1024 * 1024, 0x41) });
    sim.sim.setFaults({ rules: [{ action: 'status', status: 503, times: 1, routes: ['pushBatch'] }] });
    expect(await withClient(sim, {}, (c) => c.pushBatch(b))).toMatchObject({ kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status: 503 });
    sim.sim.setFaults({ rules: [{ action: 'reset-before', times: 1, routes: ['pushBatch'] }] });
    expect(await withClient(sim, {}, (c) => c.pushBatch(b))).toMatchObject({ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' });
  });
});

describe('every answer of the §4 table, classified', () => {
  const push = (b: BatchSubmission, target: RunningSimulator = sim, options = {}) => withClient(target, options, (c) => c.pushBatch(b));

  it('200 → success with the receipt; the same again → replayed', async () => {
    const b = await signedBatch({ entries: [entry(1021)] });
    const first = await push(b);
    expect(first).toMatchObject({ kind: 'success', status: 200, value: { batchId: b.batchId, status: 'ACCEPTED', accepted: 1 } });
    const again = await push(b);
    expect(again.kind).toBe('replayed');
    if (first.kind === 'success' && again.kind === 'replayed') expect(again.value).toEqual(first.value);
  });

  it('200 PARTIAL → success with the rejected records', async () => {
    const b = await signedBatch({ entries: [entry(1022), entry(1023, 1, { MaDonViSuDung: 'H56.01' })] });
    expect(await push(b)).toMatchObject({ kind: 'success', value: { status: 'PARTIAL', accepted: 1, rejected: [{ code: 'AGENCY_NOT_IN_PROVINCE' }] } });
  });

  it('400 BAD_REQUEST and BAD_PAYLOAD → permanent, alert', async () => {
    const b = await signedBatch({ entries: [entry(1031)] });
    expect(await push({ ...b, period: '2026-13' })).toMatchObject({ kind: 'permanent', code: 'BAD_REQUEST', alert: true, status: 400 });
    const junk = await signedBatch({ entries: [], payload: Buffer.from('<GoiTinDongBo/>') });
    expect(await push(junk)).toMatchObject({ kind: 'permanent', code: 'BAD_PAYLOAD', alert: true, status: 400 });
  });

  it('401 AUTHEN_ERROR → permanent, alert', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 401, code: 'AUTHEN_ERROR', times: 1 }] });
    expect(await push(await signedBatch({ entries: [entry(1041)] }))).toMatchObject({ kind: 'permanent', code: 'AUTHEN_ERROR', alert: true });
  });

  it('403 IP_DISALLOWED and SENDER_NOT_ALLOWED → permanent, alert', async () => {
    const b = await signedBatch({ entries: [entry(1051)] });
    expect(await push(b, sim, { clientId: 'walled', clientSecret: 'walled-secret' })).toMatchObject({ kind: 'permanent', code: 'IP_DISALLOWED', status: 403 });
    expect(await push(b, sim, { senderCode: 'H56.19' })).toMatchObject({ kind: 'permanent', code: 'SENDER_NOT_ALLOWED', status: 403 });
  });

  it('409 IDEMPOTENCY_MISMATCH → permanent, alert', async () => {
    const b = await signedBatch({ entries: [entry(1061)] });
    await push(b);
    const other = await signedBatch({ batchId: b.batchId, entries: [entry(1062)] });
    expect(await push(other)).toMatchObject({ kind: 'permanent', code: 'IDEMPOTENCY_MISMATCH', alert: true, status: 409 });
  });

  it('413 PAYLOAD_TOO_LARGE → permanent, at the 32 MiB limit and at a configured one', async () => {
    const huge = await signedBatch({ entries: [], payload: Buffer.alloc(25 * 1024 * 1024, 0x41) });
    expect(await push(huge, sim, { maxBodyBytes: 64 * 1024 * 1024 })).toMatchObject({ kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', status: 413 });
    const b = await signedBatch({ entries: [], payload: Buffer.alloc(100 * 1024, 0x41) });
    expect(await push(b, small)).toMatchObject({ kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  it('a batch over the client limit (32 MiB by default) is refused without sending', async () => {
    const b = await signedBatch({ entries: [entry(1100)] });
    sim.sim.resetStats();
    expect(await push({ ...b, payload: Buffer.alloc(25 * 1024 * 1024, 0x41) })).toMatchObject({ kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', details: { local: true } });
    expect(await push(b, sim, { maxBodyBytes: 1024 })).toMatchObject({ kind: 'permanent', code: 'PAYLOAD_TOO_LARGE', details: { local: true } });
    expect((await sim.sim.stats()).calls.pushBatch).toBeUndefined();
  });

  it.each([
    ['DIGEST_MISMATCH', async () => ({ ...(await signedBatch({ entries: [entry(1201)] })), payloadSha256: 'e'.repeat(64) })],
    ['BAD_SIGNATURE', async () => {
      const b = await signedBatch({ entries: [entry(1202)] });
      const sig = Buffer.from(b.signature);
      sig[sig.length - 3] = sig[sig.length - 3]! ^ 0x55;
      return { ...b, signature: sig };
    }],
    ['CERT_UNTRUSTED', async () => signedBatch({ entries: [entry(1203)], signer: (await getTestPki()).identity('national-signer') })],
    ['CERT_EXPIRED', async () => signedBatch({ entries: [entry(1204)], signer: (await getTestPki()).identity('expired-signer') })],
    ['CERT_REVOKED', async () => signedBatch({ entries: [entry(1205)], signer: (await getTestPki()).identity('revoked-signer') })],
    ['COUNT_MISMATCH', async () => signedBatch({ entries: [entry(1206)], recordCount: 2 })],
  ] as const)('422 %s → permanent, alert', async (code, make) => {
    expect(await push(await make())).toMatchObject({ kind: 'permanent', code, alert: true, status: 422 });
  });

  it('429 RATE_LIMITED → transient with Retry-After in ms', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 429, retryAfter: '2', times: 1 }] });
    expect(await push(await signedBatch({ entries: [entry(1301)] }))).toMatchObject({ kind: 'transient', code: 'RATE_LIMITED', status: 429, retryAfterMs: 2000 });
  });

  it.each([500, 502, 503, 504])('%i → transient', async (status) => {
    sim.sim.setFaults({ rules: [{ action: 'status', status, times: 1 }] });
    expect(await push(await signedBatch({ entries: [entry(1400 + status)] }))).toMatchObject({ kind: 'transient', code: 'NATIONAL_UNAVAILABLE', status });
  });

  it('503 with an HTTP-date Retry-After → transient with the delay', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 503, retryAfter: new Date(Date.now() + 30_000).toUTCString(), times: 1 }] });
    const outcome = await push(await signedBatch({ entries: [entry(1410)] }));
    expect(outcome).toMatchObject({ kind: 'transient', status: 503 });
    expect(outcome.kind === 'transient' && outcome.retryAfterMs).toBeGreaterThan(25_000);
  });

  it('no answer (reset before or after processing, headers timeout) → unknown', async () => {
    sim.sim.setFaults({ rules: [{ action: 'reset-before', times: 1 }] });
    expect(await push(await signedBatch({ entries: [entry(1501)] }))).toMatchObject({ kind: 'unknown', code: 'NATIONAL_UNAVAILABLE' });
    sim.sim.setFaults({ rules: [{ action: 'reset-after', times: 1 }] });
    const stored = await signedBatch({ entries: [entry(1502)] });
    expect(await push(stored)).toMatchObject({ kind: 'unknown' });
    expect(await withClient(sim, {}, (c) => c.getBatch(stored.batchId))).toMatchObject({ kind: 'success', value: { batchId: stored.batchId } });
    sim.sim.setFaults({ rules: [{ action: 'delay', delayMs: 1_000, times: 1 }] });
    expect(await push(await signedBatch({ entries: [entry(1503)] }), sim, { headersTimeoutMs: 200 })).toMatchObject({ kind: 'unknown', details: { transport: 'UND_ERR_HEADERS_TIMEOUT' } });
  });

  it('a refused connection → transient (nothing was sent)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = clientFor({ url: `http://127.0.0.1:${port}` });
    try {
      expect(await dead.getBatch('X')).toMatchObject({ kind: 'transient', code: 'NATIONAL_UNAVAILABLE', details: { transport: 'ECONNREFUSED' } });
    } finally {
      await dead.close();
    }
  });

  it('GET /batches 404 → notFound, GET /records 404 → notFound', async () => {
    await withClient(sim, {}, async (client) => {
      expect(await client.getBatch('NEVER-SENT')).toEqual({ kind: 'notFound', status: 404, code: 'NOT_FOUND' });
      expect(await client.getRecord('001085000000')).toEqual({ kind: 'notFound', status: 404, code: 'RECORD_NOT_FOUND' });
    });
  });
});
