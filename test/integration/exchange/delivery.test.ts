// The client obligations of §4 end to end against the real simulator: retries with Retry-After, the
// unanswered push resolved with GET /batches, at most N calls in flight, a simulator restart; and the
// pull (§5), the transfer acknowledgement (§7) and mutual TLS.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callWithRetry, pushWithRetry, type RetryLoopOptions } from '../../../src/exchange/push-with-retry.ts';
import { buildNationalRecordDocument, parsePulledRecordDocument } from '../../../src/exchange/xml/record-document.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import type { RunningSimulator } from '../../../src/simulator/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { createSimDatabase, entry, sampleHoSo, signedBatch, startTestSimulator, type SimDatabase } from '../simulator/harness.ts';
import { clientFor, withClient } from './client-fixture.ts';

let db: SimDatabase;
let sim: RunningSimulator;

beforeAll(async () => {
  db = await createSimDatabase();
  sim = await startTestSimulator(db.url);
});

afterEach(() => {
  sim.sim.setFaults({ rules: [] });
});

afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

/** Real clock, recorded sleeps (instant unless `real`). */
function loop(real = false): RetryLoopOptions & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept, deadline: Date.now() + 20_000, baseMs: 50, maxMs: 400, factor: 2, jitter: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      if (real) await new Promise((r) => setTimeout(r, ms));
    },
  };
}

describe('pushWithRetry (§4 client obligations)', () => {
  it('retries transient failures with backoff, sending the same bytes, then records the receipt', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 503, times: 2, routes: ['pushBatch'] }] });
    sim.sim.resetStats();
    const b = await signedBatch({ entries: [entry(2001)] });
    const opts = loop();
    const result = await withClient(sim, {}, (c) => pushWithRetry(c, b, opts));
    expect(result).toMatchObject({ ok: true, replayed: false, attempts: 3, receipt: { batchId: b.batchId, status: 'ACCEPTED' } });
    expect(opts.slept).toEqual([25, 50]);
    const stats = await sim.sim.stats();
    expect(stats.pushAttempts).toBe(3);
    expect(stats.stored.batches).toBeGreaterThanOrEqual(1);
  });

  it('honours Retry-After of a 429: waits at least that long', async () => {
    sim.sim.setFaults({ rules: [{ action: 'status', status: 429, retryAfter: '1', times: 1, routes: ['pushBatch'] }] });
    const b = await signedBatch({ entries: [entry(2011)] });
    const opts = loop(true);
    const started = Date.now();
    const result = await withClient(sim, {}, (c) => pushWithRetry(c, b, opts));
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(opts.slept).toEqual([1000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('resolves a reset after processing with GET /batches: stored once, never sent twice', async () => {
    sim.sim.setFaults({ rules: [{ action: 'reset-after', times: 1, routes: ['pushBatch'] }] });
    sim.sim.resetStats();
    const before = (await sim.sim.stats()).stored.batches;
    const b = await signedBatch({ entries: [entry(2021)] });
    const result = await withClient(sim, {}, (c) => pushWithRetry(c, b, loop()));
    expect(result).toMatchObject({ ok: true, resolvedByLookup: true, attempts: 2, receipt: { batchId: b.batchId } });
    const stats = await sim.sim.stats();
    expect(stats.calls).toMatchObject({ pushBatch: 1, getBatch: 1 });
    expect(stats.stored.batches).toBe(before + 1);
  });

  it('resolves a reset before processing with GET /batches (404) and sends again', async () => {
    sim.sim.setFaults({ rules: [{ action: 'reset-before', times: 1, routes: ['pushBatch'] }] });
    sim.sim.resetStats();
    const b = await signedBatch({ entries: [entry(2031)] });
    const result = await withClient(sim, {}, (c) => pushWithRetry(c, b, loop()));
    expect(result).toMatchObject({ ok: true, resolvedByLookup: false, attempts: 2 });
    expect((await sim.sim.stats()).calls).toMatchObject({ pushBatch: 2, getBatch: 1 });
  });

  it('stops at once on a permanent refusal and at the deadline on endless failures', async () => {
    const b = await signedBatch({ entries: [entry(2041)] });
    const refused = await withClient(sim, {}, (c) => pushWithRetry(c, { ...b, payloadSha256: '0'.repeat(64) }, loop()));
    expect(refused).toMatchObject({ ok: false, reason: 'PERMANENT', attempts: 1, unresolved: false, outcome: { code: 'DIGEST_MISMATCH' } });
    sim.sim.setFaults({ rules: [{ action: 'status', status: 502, routes: ['pushBatch'] }] });
    let now = Date.now();
    const down = await withClient(sim, {}, (c) => pushWithRetry(c, b, {
      deadline: now + 1_000, baseMs: 100, maxMs: 400, factor: 2, jitter: () => 1, now: () => now, sleep: async (ms) => { now += ms; },
    }));
    expect(down).toMatchObject({ ok: false, reason: 'DEADLINE', unresolved: false, outcome: { kind: 'transient', status: 502 } });
    expect(down.attempts).toBeGreaterThan(3);
  });
});

describe('at most maxInFlight calls at once', () => {
  it.each([[2, 8], [4, 12]])('maxInFlight %i with %i concurrent callers', async (max, callers) => {
    await withClient(sim, { maxInFlight: max }, async (client) => {
      await client.getBatch('WARM-UP');
      sim.sim.setFaults({ rules: [{ action: 'delay', delayMs: 150, routes: ['getBatch'] }] });
      sim.sim.resetStats();
      const outcomes = await Promise.all(Array.from({ length: callers }, (_, i) => client.getBatch(`NEVER-${i}`)));
      expect(outcomes.every((o) => o.kind === 'notFound')).toBe(true);
    });
    const stats = await sim.sim.stats();
    expect(stats.calls.getBatch).toBe(callers);
    expect(stats.maxInFlight).toBe(max);
  });
});

describe('simulator restart', () => {
  it('keeps batches and tokens: the client carries on without a new token', async () => {
    const b = await signedBatch({ entries: [entry(2101)] });
    const port = Number(new URL(sim.url).port);
    await withClient(sim, {}, async (client) => {
      const first = await client.pushBatch(b);
      expect(first.kind).toBe('success');
      await sim.close();
      sim = await startTestSimulator(db.url, { port });
      const looked = await client.getBatch(b.batchId);
      expect(looked.kind).toBe('success');
      if (first.kind === 'success' && looked.kind === 'success') expect(looked.value).toEqual(first.value);
      expect((await client.pushBatch(b)).kind).toBe('replayed');
      expect(client.tokenFetches).toBe(1);
    });
  });
});

describe('pull and acknowledgement', () => {
  it('pulls a record with its national signature (§5)', async () => {
    const hoSo = sampleHoSo(2201);
    await sim.sim.preloadRecord({ hoSo, version: 3, holderCode: 'G09.20' });
    const outcome = await withClient(sim, {}, (c) => c.getRecord(hoSo.SoDinhDanh));
    expect(outcome).toMatchObject({ kind: 'success', value: { personalId: hoSo.SoDinhDanh, version: 3, holderCode: 'G09.20' } });
    if (outcome.kind !== 'success') return;
    expect(outcome.value.payload.equals(buildNationalRecordDocument({ hoSo, thaoTac: 'THEM_MOI', phienBan: 3 }))).toBe(true);
    const pki = await getTestPki();
    await verifyDetached(outcome.value.payload, outcome.value.signature, { trustAnchors: pki.nationalTrustAnchors });
  });

  it('a record pushed in a batch and then pulled round-trips: same record, attributes, version (§5, §6)', async () => {
    const pushed = entry(2202, 5);
    const batch = await signedBatch({ entries: [pushed] });
    expect(await withClient(sim, {}, (c) => c.pushBatch(batch))).toMatchObject({ kind: 'success', value: { status: 'ACCEPTED' } });
    const outcome = await withClient(sim, {}, (c) => c.getRecord(pushed.hoSo.SoDinhDanh));
    if (outcome.kind !== 'success') throw new Error(`pull: ${outcome.kind}`);
    expect(outcome.value.version).toBe(5);
    const pulled = parsePulledRecordDocument(outcome.value.payload, { maxBytes: 1 << 20, version: outcome.value.version });
    expect(pulled).toEqual({ hoSo: pushed.hoSo, thaoTac: 'CAP_NHAT', phienBan: 5 });
    const pki = await getTestPki();
    await verifyDetached(outcome.value.payload, outcome.value.signature, { trustAnchors: pki.nationalTrustAnchors });
  });

  it('acknowledges a transfer request, retried like a push (§7)', async () => {
    const gateway: Server = createServer((_req, res) => res.writeHead(202).end('{}'));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
      await sim.sim.sendTransferRequest(url, {
        requestId: 'TR-2301', personalId: sampleHoSo(2301).SoDinhDanh, fromAgencyCode: 'G09.20', toAgencyCode: 'H55.19.05',
        decisionNo: '45/QĐ-BNV', effectiveDate: '2026-12-01',
      });
    } finally {
      await new Promise<void>((r) => gateway.close(() => r()));
    }
    sim.sim.setFaults({ rules: [{ action: 'status', status: 503, times: 1, routes: ['ackTransfer'] }] });
    const result = await withClient(sim, {}, (c) => callWithRetry(() => c.ackTransfer('TR-2301', { status: 'IMPORTED' }), loop()));
    expect(result).toMatchObject({ ok: true, attempts: 2, outcome: { kind: 'success', value: { requestId: 'TR-2301', status: 'IMPORTED' } } });
    const conflict = await withClient(sim, {}, (c) => c.ackTransfer('TR-2301', { status: 'REJECTED', reason: 'x' }));
    expect(conflict).toMatchObject({ kind: 'permanent', code: 'IDEMPOTENCY_MISMATCH', status: 409 });
  });
});

describe('mutual TLS', () => {
  let tlsSim: RunningSimulator;
  const pem = async (name: string) => readFileSync((await getTestPki()).path(name), 'utf8');

  beforeAll(async () => {
    tlsSim = await startTestSimulator(db.url, {
      tls: {
        key: await pem('tls-server.key.pem'), cert: (await pem('tls-server.pem')) + (await pem('intermediate-ca.pem')),
        ca: await pem('root-ca.pem'), requireClientCert: true,
      },
    });
  });
  afterAll(async () => {
    await tlsSim?.close();
  });

  it('calls with the client certificate from options', async () => {
    const tls = { cert: (await pem('tls-client.pem')) + (await pem('intermediate-ca.pem')), key: await pem('tls-client.key.pem'), ca: await pem('root-ca.pem') };
    expect(tlsSim.url).toMatch(/^https:/);
    expect(await withClient(tlsSim, { tls }, (c) => c.getBatch('NEVER'))).toMatchObject({ kind: 'notFound' });
  });

  it('fails without a client certificate, never with success', async () => {
    const client = clientFor(tlsSim, { tls: { ca: await pem('root-ca.pem') } });
    try {
      const outcome = await client.getBatch('NEVER');
      expect(['transient', 'unknown']).toContain(outcome.kind);
    } finally {
      await client.close();
    }
  });
});
