// The TSA and OCSP responder over real HTTP (Fastify on 127.0.0.1, undici client), as the national
// simulator mounts them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { serialNumberHex } from '../../../src/pki/certificates.ts';
import { createOcspResponder, ocspRoutes } from '../../../src/pki/ocsp-responder.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { requestTimestamp } from '../../../src/pki/timestamp-client.ts';
import { tsaRoutes } from '../../../src/pki/tsa.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

const data = new TextEncoder().encode('<GoiTinDongBo/>');
let pki: TestPki;
let app: FastifyInstance;
let base: string;
let failing: FastifyInstance;
let failingBase: string;

beforeAll(async () => {
  pki = await getTestPki();
  app = Fastify();
  await app.register(tsaRoutes, { certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')] });
  const revoked = serialNumberHex(pki.certificate('revoked-signer'));
  await app.register(ocspRoutes, {
    responder: createOcspResponder({
      issuer: pki.certificate('intermediate-ca'), responderCertificate: pki.certificate('ocsp-responder'), responderKey: pki.key('ocsp-responder'),
      statusOf: (serial) => (serial === revoked ? { status: 'revoked', revokedAt: new Date(Date.now() - 86_400_000) } : { status: 'good' }),
    }),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  failing = Fastify();
  failing.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  failing.post('/tsa', async (_req, reply) => reply.code(503).send({ code: 'BUSY' }));
  failingBase = await failing.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await failing?.close();
});

describe('tsaRoutes', () => {
  it('signs with tsaUrl (CAdES-T) and the signature verifies with the time-stamp', async () => {
    const cms = await signDetached(data, pki.identity('org-signer'), { tsaUrl: `${base}/tsa` });
    const result = await verifyDetached(data, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, requireTimestamp: true });
    expect(result.timestampTime).toBeInstanceOf(Date);
  });

  it('answers with application/timestamp-reply and refuses other content types (415)', async () => {
    const ok = await request(`${base}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from([0x30, 0x00]) });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/timestamp-reply');
    await ok.body.dump();
    const wrong = await request(`${base}/tsa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrong.statusCode).toBe(415);
    await wrong.body.dump();
  });

  it('an unreachable TSA or an HTTP error → TSA_UNAVAILABLE', async () => {
    const imprint = new Uint8Array(32);
    await expect(requestTimestamp('http://127.0.0.1:1/tsa', imprint, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE', details: { reason: 'unreachable' } });
    await expect(requestTimestamp(`${failingBase}/tsa`, imprint)).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE', details: { reason: 'http-status', status: 503 } });
    await expect(signDetached(data, pki.identity('head-ec'), { tsaUrl: `${failingBase}/tsa` })).rejects.toMatchObject({ code: 'TSA_UNAVAILABLE' });
  });
});

describe('ocspRoutes', () => {
  it('the verifier asks the responder over HTTP: good, and revoked → CERT_REVOKED', async () => {
    const options = { trustAnchors: pki.trustAnchors, crls: [pki.crl('root-ca')], ocsp: { url: `${base}/ocsp` }, requireRevocation: true };
    const good = await verifyDetached(data, await signDetached(data, pki.identity('head-ec')), options);
    expect(good.revocation[0]).toMatchObject({ source: 'ocsp', status: 'good' });
    await expect(verifyDetached(data, await signDetached(data, pki.identity('revoked-signer')), options)).rejects.toMatchObject({ code: 'CERT_REVOKED' });
  });

  it('a responder that cannot be reached → REVOCATION_UNKNOWN', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expect(verifyDetached(data, cms, {
      trustAnchors: pki.trustAnchors, crls: [pki.crl('root-ca')], ocsp: { url: 'http://127.0.0.1:1/ocsp', timeoutMs: 2000 }, requireRevocation: true,
    })).rejects.toMatchObject({ code: 'REVOCATION_UNKNOWN' });
  });
});
