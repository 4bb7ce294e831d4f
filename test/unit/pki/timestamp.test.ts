// RFC 3161 time-stamps: the TSA handler, CAdES-T signing, and the token checks (TIMESTAMP_INVALID).
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { ErrorCode } from '../../../src/errors.ts';
import { digestBytes } from '../../../src/pki/algorithms.ts';
import { decodeDer, encodeDer } from '../../../src/pki/der.ts';
import { issueCertificate } from '../../../src/pki/issue-certificate.ts';
import { OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN, OID_TST_INFO } from '../../../src/pki/oids.ts';
import { decodeSignedData } from '../../../src/pki/signed-data.ts';
import { addSignatureTimestamp, signDetached } from '../../../src/pki/sign-cms.ts';
import { buildTimestampRequest, readTimestampResponse, requestTimestamp, type TimestampTransport } from '../../../src/pki/timestamp-client.ts';
import { readTstInfo, verifyTimestampToken } from '../../../src/pki/timestamp-token.ts';
import { createTsaHandler, DEMO_TSA_POLICY, type TsaOptions } from '../../../src/pki/tsa.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { mutateSignedData } from './craft-cms.ts';

const YEAR = 365 * 86_400_000;
const data = new TextEncoder().encode('<GoiTinDongBo>…</GoiTinDongBo>');
let pki: TestPki;
let tsa: TimestampTransport;
let options: VerifyOptions;

function tsaOptions(): TsaOptions {
  return { certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')] };
}

beforeAll(async () => {
  pki = await getTestPki();
  tsa = createTsaHandler(tsaOptions());
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls };
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode, reason?: string): Promise<void> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error, `expected ${code}`).toMatchObject({ code });
  if (reason) expect((error as { details?: { reason?: string } }).details?.reason).toBe(reason);
}

/** The signatureTimeStampToken of a CMS, as DER. */
function tokenOf(cms: Uint8Array): Uint8Array {
  const attribute = decodeSignedData(cms, 'BAD_SIGNATURE').signerInfo.unsignedAttrs?.attributes
    .find((item) => item.type === OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN);
  return encodeDer(attribute?.values[0] as asn1js.AsnType);
}

/** Replaces the signatureTimeStampToken of a CMS. */
function withToken(cms: Uint8Array, token: Uint8Array): Uint8Array {
  return mutateSignedData(cms, (sd) => {
    const attrs = (sd.signerInfos[0] as pkijs.SignerInfo).unsignedAttrs as pkijs.SignedAndUnsignedAttributes;
    (attrs.attributes[0] as pkijs.Attribute).values = [decodeDer(token, 'BAD_REQUEST', 'token')];
  });
}

describe('the TSA handler', () => {
  it('answers a request with a granted token over the imprint, echoing the nonce', async () => {
    const imprint = digestBytes('SHA-256', data);
    const nonce = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
    const answer = await tsa(buildTimestampRequest(imprint, 'SHA-256', nonce));
    const { token, genTime } = readTimestampResponse(answer, { imprint, hash: 'SHA-256', nonce });
    const tstInfo = readTstInfo(decodeSignedData(token, 'TIMESTAMP_INVALID'));
    expect(tstInfo.policy).toBe(DEMO_TSA_POLICY);
    expect(Math.abs(genTime.getTime() - Date.now())).toBeLessThan(5_000);
    const decoded = decodeSignedData(token, 'TIMESTAMP_INVALID');
    expect(decoded.eContentType).toBe(OID_TST_INFO);
    expect(decoded.certificates).toHaveLength(2); // certReq: TSA certificate + intermediate
  });

  it.each([
    ['garbage', new Uint8Array([1, 2, 3]), 5],
    ['an imprint of the wrong length', buildTimestampRequest(new Uint8Array(20), 'SHA-256', new Uint8Array([1])), 0],
  ])('rejects %s with PKIStatus rejection and the failInfo bit', async (_name, request, bit) => {
    const answer = pkijs.TimeStampResp.fromBER((await tsa(request)).slice().buffer);
    expect(answer.status.status).toBe(2);
    expect(answer.timeStampToken).toBeUndefined();
    const bits = answer.status.failInfo?.valueBlock.valueHexView ?? new Uint8Array();
    expect((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))).not.toBe(0);
  });

  it('a refusal reaches the client as TSA_UNAVAILABLE, a transport error too', async () => {
    const refusing: TimestampTransport = async () => tsa(new Uint8Array([0]));
    await expectCode(requestTimestamp(refusing, digestBytes('SHA-256', data)), 'TSA_UNAVAILABLE', 'refused');
    await expectCode(requestTimestamp(async () => { throw new Error('socket hang up'); }, digestBytes('SHA-256', data)), 'TSA_UNAVAILABLE');
  });

  it('an answer to another request (other imprint or nonce) is TIMESTAMP_INVALID', async () => {
    const imprint = digestBytes('SHA-256', data);
    const answer = await tsa(buildTimestampRequest(imprint, 'SHA-256', new Uint8Array([1, 2])));
    expect(() => readTimestampResponse(answer, { imprint: digestBytes('SHA-256', new Uint8Array([9])), hash: 'SHA-256' }))
      .toThrow(expect.objectContaining({ code: 'TIMESTAMP_INVALID' }));
    expect(() => readTimestampResponse(answer, { imprint, hash: 'SHA-256', nonce: new Uint8Array([3, 4]) }))
      .toThrow(expect.objectContaining({ code: 'TIMESTAMP_INVALID' }));
  });
});

describe('CAdES-T', () => {
  it('signs with a time-stamp; the verifier judges validity at the time-stamp’s time', async () => {
    const cms = await signDetached(data, pki.identity('org-signer'), { tsa });
    const result = await verifyDetached(data, cms, { ...options, requireTimestamp: true, requireRevocation: true });
    expect(result.timestampTime).toBeInstanceOf(Date);
    expect(result.validationTime).toEqual(result.timestampTime);
    expect(result.timestamp?.chain).toHaveLength(3);
    expect(result.timestamp?.revocation.map((item) => item.status)).toEqual(['good', 'good']);
  });

  it('closes backdating: an expired certificate with signingTime inside its validity, time-stamped today → CERT_EXPIRED', async () => {
    const signingTime = new Date(Date.now() - 2 * YEAR);
    const bes = await signDetached(data, pki.identity('expired-signer'), { signingTime });
    await expect(verifyDetached(data, bes, options)).resolves.toBeDefined(); // CAdES-BES trusts the claimed time…
    const t = await addSignatureTimestamp(bes, tsa);
    await expectCode(verifyDetached(data, t, options), 'CERT_EXPIRED'); // …CAdES-T does not need to
  });

  it('requireTimestamp without a time-stamp → TIMESTAMP_INVALID', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, cms, { ...options, requireTimestamp: true }), 'TIMESTAMP_INVALID', 'time-stamp-missing');
  });

  it('addSignatureTimestamp upgrades a CAdES-BES signature and it still verifies', async () => {
    const bes = await signDetached(data, pki.identity('head-rsa'));
    const t = await addSignatureTimestamp(bes, tsa);
    await expect(verifyDetached(data, t, { ...options, requireTimestamp: true })).resolves.toMatchObject({ timestampTime: expect.any(Date) });
    await expectCode(addSignatureTimestamp(t, tsa), 'BAD_SIGNATURE', 'already-time-stamped');
  });

  it('a tampered token (one byte of TSTInfo changed) → TIMESTAMP_INVALID', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { tsa });
    const token = tokenOf(cms);
    const tstInfo = decodeSignedData(token, 'TIMESTAMP_INVALID').eContent as Uint8Array;
    const at = Buffer.from(token).indexOf(Buffer.from(tstInfo)) + tstInfo.length - 3;
    const tampered = token.slice();
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    await expectCode(verifyDetached(data, withToken(cms, tampered), options), 'TIMESTAMP_INVALID');
  });

  it('a genuine token over another signature → TIMESTAMP_INVALID', async () => {
    const first = await signDetached(data, pki.identity('head-ec'), { tsa });
    const second = await signDetached(data, pki.identity('head-ec'), { tsa });
    await expectCode(verifyDetached(data, withToken(second, tokenOf(first)), options), 'TIMESTAMP_INVALID', 'imprint-mismatch');
  });

  it('a TSA certificate without the timeStamping extended key usage → TIMESTAMP_INVALID', async () => {
    const rogue = createTsaHandler({ certificate: pki.certificate('deputy'), key: pki.key('deputy'), chain: [pki.certificate('intermediate-ca')] });
    const cms = await signDetached(data, pki.identity('head-ec'), { tsa: rogue });
    await expectCode(verifyDetached(data, cms, options), 'TIMESTAMP_INVALID', 'tsa-without-time-stamping-usage');
  });

  it('a TSA that does not chain to the TSA trust anchors → TIMESTAMP_INVALID', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { tsa });
    await expectCode(verifyDetached(data, cms, { ...options, tsaTrustAnchors: pki.nationalTrustAnchors }), 'TIMESTAMP_INVALID', 'tsa-certificate');
  });

  it('a TSA whose certificate was not valid at genTime → TIMESTAMP_INVALID', async () => {
    const now = Date.now();
    const oldTsa = await issueCertificate({
      subject: [['CN', 'Old TSA']], publicKeyDer: pki.key('tsa').publicKeyDer, notBefore: new Date(now - 3 * YEAR), notAfter: new Date(now - YEAR),
      keyUsage: ['digitalSignature'], extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'], extendedKeyUsageCritical: true,
    }, { key: pki.key('intermediate-ca'), certificate: pki.certificate('intermediate-ca') });
    const handler = createTsaHandler({ ...tsaOptions(), certificate: oldTsa });
    const cms = await signDetached(data, pki.identity('head-ec'), { tsa: handler });
    await expectCode(verifyDetached(data, cms, options), 'TIMESTAMP_INVALID', 'tsa-certificate');
  });

  it('a time-stamp earlier than the claimed signing time → TIMESTAMP_INVALID', async () => {
    const early = createTsaHandler({ ...tsaOptions(), now: () => new Date(Date.now() - 3_600_000) });
    const cms = await signDetached(data, pki.identity('head-ec'), { tsa: early });
    await expectCode(verifyDetached(data, cms, options), 'TIMESTAMP_INVALID', 'time-stamp-before-signing-time');
  });

  it('verifyTimestampToken returns genTime, serial, policy and the TSA chain', async () => {
    const signature = new Uint8Array([1, 2, 3, 4]);
    const { token } = await requestTimestamp(tsa, digestBytes('SHA-256', signature));
    const verified = await verifyTimestampToken(token, signature, { trustAnchors: pki.trustAnchors, crls: pki.crls, now: new Date() });
    expect(verified.policy).toBe(DEMO_TSA_POLICY);
    expect(verified.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(verified.tsaSubject).toContain('Demo Time-Stamping Authority');
    await expectCode(verifyTimestampToken(token, new Uint8Array([1, 2, 3]), { trustAnchors: pki.trustAnchors, now: new Date() }), 'TIMESTAMP_INVALID', 'imprint-mismatch');
  });
});
