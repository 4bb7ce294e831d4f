// Two-step signing: prepare → the signer's tool signs → assemble → verify.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.ts';
import type { ErrorCode } from '../../../src/errors.ts';
import { digestBytes } from '../../../src/pki/algorithms.ts';
import { certificateSha256 } from '../../../src/pki/certificates.ts';
import { bytesEqual, toHex } from '../../../src/pki/der.ts';
import { assembleExternalSignature, prepareExternalSignature, signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { createTsaHandler } from '../../../src/pki/tsa.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

const data = new TextEncoder().encode('Danh sách phê duyệt tháng 11/2026');
let pki: TestPki;
let options: VerifyOptions;

beforeAll(async () => {
  pki = await getTestPki();
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true };
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode, reason?: string): Promise<void> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error, `expected ${code}`).toMatchObject({ code });
  if (reason) expect((error as { details?: { reason?: string } }).details?.reason).toBe(reason);
}

describe('prepare', () => {
  it('returns the DER signed attributes and the SHA-256 of them, plus an algorithm hint', async () => {
    const signingTime = new Date('2026-11-27T03:00:00.750Z');
    const cert = (await getTestPki(fixedClock(signingTime))).certificate('head-rsa'); // a PKI issued for that day
    const prepared = prepareExternalSignature({ data, signerCertificate: cert, signingTime });
    expect(prepared.signedAttrsDer[0]).toBe(0x31); // SET OF
    expect(bytesEqual(prepared.digestToSign, digestBytes('SHA-256', prepared.signedAttrsDer))).toBe(true);
    expect(bytesEqual(prepared.messageDigest, digestBytes('SHA-256', data))).toBe(true);
    expect(prepared.signingTime.toISOString()).toBe('2026-11-27T03:00:00.000Z');
    expect(prepared.algorithm).toEqual({ scheme: 'RSASSA-PSS', hash: 'SHA-256', saltLength: 32, mgf: 'MGF1-SHA-256' });
    expect(prepared.certificateSha256).toBe(toHex(certificateSha256(cert)));
  });

  it('gives PKCS#1 v1.5 tokens the DigestInfo to sign', () => {
    const prepared = prepareExternalSignature({ data, signerCertificate: pki.certificate('head-rsa'), scheme: 'RSASSA-PKCS1-v1_5' });
    const digestInfo = prepared.algorithm.digestInfo as Uint8Array;
    expect(bytesEqual(digestInfo.subarray(digestInfo.length - 32), prepared.digestToSign)).toBe(true);
  });

  it('refuses before anyone is asked to sign: wrong key usage, expired certificate, scheme that does not fit the key', async () => {
    expect(() => prepareExternalSignature({ data, signerCertificate: pki.certificate('keyenc-signer') })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_USAGE' }));
    expect(() => prepareExternalSignature({ data, signerCertificate: pki.certificate('expired-signer') })).toThrow(expect.objectContaining({ code: 'CERT_EXPIRED' }));
    expect(() => prepareExternalSignature({ data, signerCertificate: pki.certificate('head-ec'), scheme: 'RSASSA-PSS' }))
      .toThrow(expect.objectContaining({ code: 'SIGNER_MISMATCH' }));
  });
});

describe('assemble', () => {
  it.each([
    ['head-rsa', undefined, undefined],
    ['org-signer', undefined, undefined],
    ['head-rsa', 'RSASSA-PKCS1-v1_5', undefined],
    ['head-ec', undefined, 'raw'],
    ['deputy', undefined, 'der'],
  ] as const)('%s %s %s: the assembled CMS verifies', async (entity, scheme, ecdsaFormat) => {
    const signer = pki.identity(entity);
    const prepared = prepareExternalSignature({ data, signerCertificate: signer.certificate, ...(scheme ? { scheme } : {}) });
    const signatureValue = await signPreparedDigest(signer.key, prepared.signedAttrsDer, { ...(scheme ? { scheme } : {}), ...(ecdsaFormat ? { ecdsaFormat } : {}) });
    if (ecdsaFormat === 'raw') expect(signatureValue).toHaveLength(64);
    const cms = await assembleExternalSignature({ prepared, signatureValue, signerCertificate: signer.certificate, chain: signer.chain });
    const result = await verifyDetached(data, cms, options);
    expect(result.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(result.signingTime).toEqual(prepared.signingTime);
    expect(result.algorithm.scheme).toBe(scheme ?? (signer.key.kind === 'RSA' ? 'RSASSA-PSS' : 'ECDSA'));
  });

  it('a signature by another key → BAD_SIGNATURE', async () => {
    const signer = pki.identity('head-ec');
    const prepared = prepareExternalSignature({ data, signerCertificate: signer.certificate });
    const signatureValue = await signPreparedDigest(pki.key('deputy'), prepared.signedAttrsDer);
    await expectCode(assembleExternalSignature({ prepared, signatureValue, signerCertificate: signer.certificate, chain: signer.chain }), 'BAD_SIGNATURE', 'signature-does-not-verify');
  });

  it('a signature over other attributes → BAD_SIGNATURE', async () => {
    const signer = pki.identity('head-rsa');
    const prepared = prepareExternalSignature({ data, signerCertificate: signer.certificate });
    const other = prepareExternalSignature({ data: new Uint8Array([1]), signerCertificate: signer.certificate });
    const signatureValue = await signPreparedDigest(signer.key, other.signedAttrsDer);
    await expectCode(assembleExternalSignature({ prepared, signatureValue, signerCertificate: signer.certificate }), 'BAD_SIGNATURE');
  });

  it('prepared attributes changed between the two steps → BAD_SIGNATURE', async () => {
    const signer = pki.identity('head-ec');
    const prepared = prepareExternalSignature({ data, signerCertificate: signer.certificate });
    const tampered = prepared.signedAttrsDer.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    const signatureValue = await signPreparedDigest(signer.key, tampered);
    await expectCode(assembleExternalSignature({ prepared: { ...prepared, signedAttrsDer: tampered }, signatureValue, signerCertificate: signer.certificate }), 'BAD_SIGNATURE', 'prepared-attributes-changed');
  });

  it('the tool reports another certificate than the prepared one → SIGNER_MISMATCH', async () => {
    const prepared = prepareExternalSignature({ data, signerCertificate: pki.certificate('head-ec') });
    const signatureValue = await signPreparedDigest(pki.key('deputy'), prepared.signedAttrsDer);
    await expectCode(assembleExternalSignature({ prepared, signatureValue, signerCertificate: pki.certificate('deputy') }), 'SIGNER_MISMATCH', 'not-the-prepared-certificate');
  });

  it('a raw ECDSA value of the wrong length → BAD_SIGNATURE', async () => {
    const prepared = prepareExternalSignature({ data, signerCertificate: pki.certificate('head-ec') });
    await expectCode(assembleExternalSignature({ prepared, signatureValue: new Uint8Array(63), signerCertificate: pki.certificate('head-ec') }), 'BAD_SIGNATURE', 'ecdsa-value-malformed');
  });

  it('can time-stamp the assembled signature (CAdES-T)', async () => {
    const signer = pki.identity('head-ec');
    const tsa = createTsaHandler({ certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')] });
    const prepared = prepareExternalSignature({ data, signerCertificate: signer.certificate });
    const signatureValue = await signPreparedDigest(signer.key, prepared.signedAttrsDer);
    const cms = await assembleExternalSignature({ prepared, signatureValue, signerCertificate: signer.certificate, chain: signer.chain, tsa });
    await expect(verifyDetached(data, cms, { ...options, requireTimestamp: true })).resolves.toMatchObject({ timestampTime: expect.any(Date) });
  });
});
