// PKI.js defaults that would accept what NATIONAL_API.md §3 refuses (or refuse what it accepts).
// Each test first shows PKI.js's default behaviour, then that verifyDetached closes the gap.
import { beforeAll, describe, expect, it } from 'vitest';
import * as pkijs from 'pkijs';
import { issueCertificate } from '../../../src/pki/issue-certificate.ts';
import { generateSigningKey } from '../../../src/pki/keys.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import type { SigningIdentity } from '../../../src/pki/signing-identity.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import '../../../src/pki/engine.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

const DAY = 86_400_000;
const data = new TextEncoder().encode('Gói tin đồng bộ');
let pki: TestPki;

beforeAll(async () => {
  pki = await getTestPki();
});

function pkijsSignedData(cms: Uint8Array): pkijs.SignedData {
  return new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms.slice().buffer).content });
}

async function pkijsVerify(cms: Uint8Array, params: Pick<pkijs.SignedDataVerifyParams, 'checkChain' | 'trustedCerts' | 'passedWhenNotRevValues'> = {}): Promise<boolean> {
  return pkijsSignedData(cms).verify({ signer: 0, data: data.slice().buffer, ...params }).catch(() => false);
}

async function selfMadeSigner(): Promise<SigningIdentity> {
  const { key: caKey } = await generateSigningKey('EC-P256');
  const now = Date.now();
  const ca = await issueCertificate({
    subject: [['CN', 'Self-made CA']], publicKeyDer: caKey.publicKeyDer, notBefore: new Date(now - DAY), notAfter: new Date(now + DAY),
    ca: {}, keyUsage: ['keyCertSign'],
  }, { key: caKey });
  const { key } = await generateSigningKey('EC-P256');
  const certificate = await issueCertificate({
    subject: [['CN', 'Giám đốc giả mạo']], publicKeyDer: key.publicKeyDer, notBefore: new Date(now - DAY), notAfter: new Date(now + DAY),
    keyUsage: ['digitalSignature'],
  }, { key: caKey, certificate: ca });
  return { key, certificate, chain: [ca] };
}

describe('trap 1: SignedData.verify does not check the chain unless asked (checkChain defaults to false)', () => {
  it('PKI.js accepts a signer from a self-made CA; verifyDetached answers CERT_UNTRUSTED', async () => {
    const cms = await signDetached(data, await selfMadeSigner());
    expect(await pkijsVerify(cms)).toBe(true);
    await expect(verifyDetached(data, cms, { trustAnchors: pki.trustAnchors })).rejects.toMatchObject({ code: 'CERT_UNTRUSTED' });
  });
});

describe('trap 2: the chain check uses today’s date (checkDate defaults to now)', () => {
  it('PKI.js refuses a signature made while the certificate was valid; verifyDetached accepts it', async () => {
    const cms = await signDetached(data, pki.identity('expired-signer'), { signingTime: new Date(Date.now() - 2 * 365 * DAY) });
    expect(await pkijsVerify(cms, { checkChain: true, trustedCerts: pki.trustAnchors, passedWhenNotRevValues: true })).toBe(false);
    await expect(verifyDetached(data, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true })).resolves.toBeDefined();
  });

  it('PKI.js accepts a signature dated before the certificate existed; verifyDetached answers CERT_EXPIRED', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { signingTime: new Date(Date.now() - 10 * DAY) });
    expect(await pkijsVerify(cms, { checkChain: true, trustedCerts: pki.trustAnchors })).toBe(true);
    await expect(verifyDetached(data, cms, { trustAnchors: pki.trustAnchors })).rejects.toMatchObject({ code: 'CERT_EXPIRED' });
  });
});

describe('trap 3: no revocation data is treated as "not revoked"', () => {
  it('PKI.js passes a revoked signer when no CRL is at hand; verifyDetached answers REVOCATION_UNKNOWN (required) or reports "unknown"', async () => {
    const cms = await signDetached(data, pki.identity('revoked-signer'));
    expect(await pkijsVerify(cms, { checkChain: true, trustedCerts: pki.trustAnchors })).toBe(true);
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: pki.trustAnchors, certs: [pki.certificate('revoked-signer'), pki.certificate('intermediate-ca')], crls: [],
    });
    expect((await engine.verify()).result).toBe(true);

    await expect(verifyDetached(data, cms, { trustAnchors: pki.trustAnchors, requireRevocation: true })).rejects.toMatchObject({ code: 'REVOCATION_UNKNOWN' });
    const lenient = await verifyDetached(data, cms, { trustAnchors: pki.trustAnchors });
    expect(lenient.revocation.every((item) => item.status === 'unknown')).toBe(true);
    await expect(verifyDetached(data, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls })).rejects.toMatchObject({ code: 'CERT_REVOKED' });
  });
});
