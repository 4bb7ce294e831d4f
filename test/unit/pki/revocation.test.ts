// Revocation by CRL and OCSP at the signing time: CERT_REVOKED, REVOCATION_UNKNOWN, and never a
// silent "good" without evidence.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/errors.ts';
import { serialNumberHex } from '../../../src/pki/certificates.ts';
import { createCrl, crlDer, parseCrls } from '../../../src/pki/crl.ts';
import { bytesEqual } from '../../../src/pki/der.ts';
import { issueCertificate } from '../../../src/pki/issue-certificate.ts';
import { generateSigningKey } from '../../../src/pki/keys.ts';
import { buildOcspRequest, readOcspResponse } from '../../../src/pki/ocsp.ts';
import { createOcspResponder, type OcspCertStatus } from '../../../src/pki/ocsp-responder.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

const DAY = 86_400_000;
const data = new TextEncoder().encode('Biên bản phê duyệt');
let pki: TestPki;
let anchors: Pick<VerifyOptions, 'trustAnchors'>;

beforeAll(async () => {
  pki = await getTestPki();
  anchors = { trustAnchors: pki.trustAnchors };
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<unknown> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error, `expected ${code}`).toMatchObject({ code });
  return error;
}

/** An OCSP responder for the intermediate CA, signed by the delegated responder certificate. */
function responder(statusOf: (serial: string) => OcspCertStatus) {
  return createOcspResponder({
    issuer: pki.certificate('intermediate-ca'),
    responderCertificate: pki.certificate('ocsp-responder'),
    responderKey: pki.key('ocsp-responder'),
    statusOf,
  });
}

function revokedOnly(revokedSerial: string, revokedAt: Date): (serial: string) => OcspCertStatus {
  return (serial) => (serial === revokedSerial ? { status: 'revoked', revokedAt, reason: 1 } : { status: 'good' });
}

describe('CRL', () => {
  it('a signer on the CRL, revoked before the signing time → CERT_REVOKED', async () => {
    const cms = await signDetached(data, pki.identity('revoked-signer'));
    const error = await expectCode(verifyDetached(data, cms, { ...anchors, crls: pki.crls }), 'CERT_REVOKED');
    expect(error).toMatchObject({ details: { source: 'crl', serialNumber: serialNumberHex(pki.certificate('revoked-signer')) } });
  });

  it('the same signer, for a signature made before the revocation → valid, with the revocation date reported', async () => {
    const cms = await signDetached(data, pki.identity('revoked-signer'), { signingTime: new Date(Date.now() - 10 * DAY) });
    const result = await verifyDetached(data, cms, { ...anchors, crls: pki.crls, requireRevocation: true });
    expect(result.revocation[0]).toMatchObject({ source: 'crl', status: 'good', revokedAt: expect.any(Date) });
  });

  it('requireRevocation without any CRL or responder → REVOCATION_UNKNOWN', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, cms, { ...anchors, requireRevocation: true }), 'REVOCATION_UNKNOWN');
  });

  it('without requireRevocation, missing data is reported as "unknown", never as "good"', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    const result = await verifyDetached(data, cms, anchors);
    expect(result.revocation.map((item) => [item.source, item.status])).toEqual([['none', 'unknown'], ['none', 'unknown']]);
  });

  it('a CRL with the CA’s name but signed by another key is no evidence (and cannot revoke)', async () => {
    const { key: forger } = await generateSigningKey('EC-P256');
    const forged = await createCrl({
      issuer: pki.certificate('intermediate-ca'), issuerKey: forger, revoked: [{ serialNumber: serialNumberHex(pki.certificate('head-ec')), revokedAt: new Date(Date.now() - DAY) }],
      thisUpdate: new Date(), nextUpdate: new Date(Date.now() + DAY), crlNumber: 2,
    });
    const cms = await signDetached(data, pki.identity('head-ec'));
    const crls = [forged, pki.crl('root-ca')];
    await expectCode(verifyDetached(data, cms, { ...anchors, crls, requireRevocation: true }), 'REVOCATION_UNKNOWN');
    const result = await verifyDetached(data, cms, { ...anchors, crls });
    expect(result.revocation[0]).toMatchObject({ status: 'unknown', reason: 'no-usable-crl' });
  });

  it('a CRL whose nextUpdate is before the signing time does not speak for it', async () => {
    const stale = await createCrl({
      issuer: pki.certificate('intermediate-ca'), issuerKey: pki.key('intermediate-ca'), revoked: [],
      thisUpdate: new Date(Date.now() - 20 * DAY), nextUpdate: new Date(Date.now() - 10 * DAY), crlNumber: 3,
    });
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, cms, { ...anchors, crls: [stale, pki.crl('root-ca')], requireRevocation: true }), 'REVOCATION_UNKNOWN');
  });

  it('a CRL issued after the signing time speaks for it (long-term verification)', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { signingTime: new Date(Date.now() - 60_000) });
    const later = await createCrl({
      issuer: pki.certificate('intermediate-ca'), issuerKey: pki.key('intermediate-ca'), revoked: [],
      thisUpdate: new Date(), nextUpdate: new Date(Date.now() + DAY), crlNumber: 4,
    });
    await expect(verifyDetached(data, cms, { ...anchors, crls: [later, pki.crl('root-ca')], requireRevocation: true })).resolves.toBeDefined();
  });

  it('a CRL of 3 000 entries (past asn1js’s default 10 000-element limit) round-trips and answers', async () => {
    const target = serialNumberHex(pki.certificate('deputy'));
    const revoked = Array.from({ length: 3000 }, (_, i) => ({ serialNumber: (0x100000 + i).toString(16), revokedAt: new Date(Date.now() - DAY), reason: 1 as const }));
    const big = await createCrl({
      issuer: pki.certificate('intermediate-ca'), issuerKey: pki.key('intermediate-ca'), revoked: [...revoked, { serialNumber: target, revokedAt: new Date(Date.now() - DAY) }],
      thisUpdate: new Date(), nextUpdate: new Date(Date.now() + DAY), crlNumber: 5,
    });
    const [loaded] = parseCrls(crlDer(big));
    const cms = await signDetached(data, pki.identity('deputy'));
    await expectCode(verifyDetached(data, cms, { ...anchors, crls: [loaded!, pki.crl('root-ca')] }), 'CERT_REVOKED');
    await expect(verifyDetached(data, await signDetached(data, pki.identity('head-ec')), { ...anchors, crls: [loaded!, pki.crl('root-ca')], requireRevocation: true }))
      .resolves.toBeDefined();
  });

  it('round-trips through PEM and keeps the listed serial', () => {
    const der = crlDer(pki.crl('intermediate-ca'));
    const [again] = parseCrls(der);
    expect(again && bytesEqual(crlDer(again), der)).toBe(true);
    expect(again?.revokedCertificates?.length).toBe(1);
  });
});

describe('OCSP', () => {
  const onlyRoot = () => [pki.crl('root-ca')];

  it('a good answer from the delegated responder is evidence, kept as DER', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    const result = await verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp: responder(() => ({ status: 'good' })), requireRevocation: true });
    expect(result.revocation[0]).toMatchObject({ source: 'ocsp', status: 'good', evidence: expect.any(Uint8Array) });
    expect(result.revocation[1]).toMatchObject({ source: 'crl', status: 'good' });
  });

  it('revoked before the signing time → CERT_REVOKED', async () => {
    const signer = pki.identity('head-ec');
    const ocsp = responder(revokedOnly(serialNumberHex(signer.certificate), new Date(Date.now() - DAY)));
    const cms = await signDetached(data, signer);
    await expectCode(verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp }), 'CERT_REVOKED');
  });

  it('revoked after the signing time → valid, revokedAt reported', async () => {
    const signer = pki.identity('deputy');
    const ocsp = responder(revokedOnly(serialNumberHex(signer.certificate), new Date(Date.now() - 60_000)));
    const cms = await signDetached(data, signer, { signingTime: new Date(Date.now() - 3_600_000) });
    const result = await verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp, requireRevocation: true });
    expect(result.revocation[0]).toMatchObject({ source: 'ocsp', status: 'good', revokedAt: expect.any(Date) });
  });

  it.each([
    ['the responder answers "unknown"', () => responder(() => ({ status: 'unknown' }))],
    ['the responder is down', () => async () => { throw new Error('ECONNREFUSED'); }],
    ['the responder answers garbage', () => async () => new Uint8Array([1, 2, 3])],
  ])('%s → REVOCATION_UNKNOWN when required', async (_name, make) => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp: make(), requireRevocation: true }), 'REVOCATION_UNKNOWN');
  });

  it('an answer signed by a certificate the CA did not delegate OCSP signing to is no evidence', async () => {
    const rogue = createOcspResponder({
      issuer: pki.certificate('intermediate-ca'),
      responderCertificate: pki.certificate('tsa'), // issued by the CA, but not for OCSPSigning
      responderKey: pki.key('tsa'),
      statusOf: () => ({ status: 'good' }),
    });
    const cms = await signDetached(data, pki.identity('head-ec'));
    const error = await expectCode(verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp: rogue, requireRevocation: true }), 'REVOCATION_UNKNOWN');
    expect(error).toMatchObject({ details: { reason: 'no-usable-crl,ocsp:responder-not-authorized' } });
  });

  it('the CA itself may answer', async () => {
    const direct = createOcspResponder({
      issuer: pki.certificate('intermediate-ca'), responderCertificate: pki.certificate('intermediate-ca'),
      responderKey: pki.key('intermediate-ca'), statusOf: () => ({ status: 'good' }),
    });
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expect(verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp: direct, requireRevocation: true })).resolves.toBeDefined();
  });

  it('an answer replayed for another request (nonce differs) is refused', async () => {
    const cert = pki.certificate('head-ec');
    const issuer = pki.certificate('intermediate-ca');
    const answer = await responder(() => ({ status: 'good' }))(buildOcspRequest(cert, issuer).der);
    const other = buildOcspRequest(cert, issuer).nonce;
    const now = new Date();
    await expect(readOcspResponse(answer, cert, issuer, { time: now, now, nonce: other })).resolves.toMatchObject({ reason: 'nonce-mismatch' });
  });

  it('a stored answer verifies the signature again later, without asking the responder', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    const first = await verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocsp: responder(() => ({ status: 'good' })), requireRevocation: true });
    const stored = first.revocation[0]?.evidence as Uint8Array;
    const later = new Date(Date.now() + 400 * DAY);
    const again = await verifyDetached(data, cms, { ...anchors, crls: onlyRoot(), ocspResponses: [stored], requireRevocation: true, now: later });
    expect(again.revocation[0]).toMatchObject({ source: 'ocsp', status: 'good' });
  });

  it('the responder refuses certificates of another CA and malformed requests', async () => {
    const answerFor = async (der: Uint8Array) => {
      const { OCSPResponse } = await import('pkijs');
      return OCSPResponse.fromBER(der.slice().buffer).responseStatus.valueBlock.valueDec;
    };
    const ocsp = responder(() => ({ status: 'good' }));
    const { key } = await generateSigningKey('EC-P256');
    const foreign = await issueCertificate({
      subject: [['CN', 'x']], publicKeyDer: key.publicKeyDer, notBefore: new Date(), notAfter: new Date(Date.now() + DAY), keyUsage: ['digitalSignature'],
    }, { key: pki.key('national-root-ca'), certificate: pki.certificate('national-root-ca') });
    expect(await answerFor(await ocsp(buildOcspRequest(foreign, pki.certificate('national-root-ca')).der))).toBe(6);
    expect(await answerFor(await ocsp(new Uint8Array([0x30, 0x00])))).toBe(1);
  });
});
