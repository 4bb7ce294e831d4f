// Chain to a configured trust anchor (CERT_UNTRUSTED), validity at the signing time (CERT_EXPIRED)
// and key usage (WRONG_KEY_USAGE).
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { ErrorCode } from '../../../src/errors.ts';
import { validateCertificatePath } from '../../../src/pki/cert-chain.ts';
import { subjectOf, type Certificate } from '../../../src/pki/certificates.ts';
import { issueCertificate, signTbs, type CertificateProfile } from '../../../src/pki/issue-certificate.ts';
import { generateSigningKey, type SigningKey } from '../../../src/pki/keys.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import type { SigningIdentity } from '../../../src/pki/signing-identity.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { craftCms } from './craft-cms.ts';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const data = new TextEncoder().encode('Quyết định bổ nhiệm');
let pki: TestPki;
let options: VerifyOptions;

beforeAll(async () => {
  pki = await getTestPki();
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls };
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode, reason?: string): Promise<void> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error, `expected ${code}`).toMatchObject({ code });
  if (reason) expect((error as { details?: { reason?: string } }).details?.reason).toBe(reason);
}

type Profile = Partial<Omit<CertificateProfile, 'publicKeyDer'>>;

/** A fresh EC key and a certificate for it, issued by `issuer` (self-signed when omitted). */
async function makeEntity(profile: Profile, issuer?: { key: SigningKey; certificate: Certificate }): Promise<SigningIdentity> {
  const { key } = await generateSigningKey('EC-P256');
  const now = Date.now();
  const certificate = await issueCertificate({
    subject: [['C', 'VN'], ['CN', `Test ${Math.random().toString(36).slice(2, 8)}`]],
    notBefore: new Date(now - DAY), notAfter: new Date(now + YEAR), keyUsage: ['digitalSignature', 'nonRepudiation'],
    ...profile, publicKeyDer: key.publicKeyDer,
  }, issuer ?? { key });
  return { key, certificate, chain: [] };
}

function intermediate(): { key: SigningKey; certificate: Certificate } {
  return { key: pki.key('intermediate-ca'), certificate: pki.certificate('intermediate-ca') };
}

function root(): { key: SigningKey; certificate: Certificate } {
  return { key: pki.key('root-ca'), certificate: pki.certificate('root-ca') };
}

describe('path to a trust anchor → CERT_UNTRUSTED', () => {
  it('a signer under a CA nobody configured', async () => {
    const rogueRoot = await makeEntity({ ca: {}, keyUsage: ['keyCertSign', 'cRLSign'] });
    const signer = await makeEntity({}, rogueRoot);
    const cms = await craftCms(data, { ...signer, chain: [rogueRoot.certificate] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'no-path-to-trust-anchor');
  });

  it('the national signer is not trusted with the provincial anchors, and is with the national one', async () => {
    const cms = await signDetached(data, pki.identity('national-signer'));
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED');
    const result = await verifyDetached(data, cms, { trustAnchors: pki.nationalTrustAnchors, crls: [pki.crl('national-root-ca')], requireRevocation: true });
    expect(result.subject).toBe(subjectOf(pki.certificate('national-signer')));
  });

  it('an intermediate that is neither embedded nor configured; configuring it fixes the path', async () => {
    const signer = pki.identity('head-ec');
    const cms = await craftCms(data, signer, { certificates: [signer.certificate] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED');
    await expect(verifyDetached(data, cms, { ...options, intermediates: signer.chain })).resolves.toBeDefined();
  });

  it('a certificate forged with the intermediate’s name but another key', async () => {
    const fakeCa = await makeEntity({ subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'Demo Provincial Signing CA']], ca: {}, keyUsage: ['keyCertSign'] });
    const signer = await makeEntity({}, fakeCa);
    const cms = await craftCms(data, { ...signer, chain: [pki.certificate('intermediate-ca')] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'no-path-to-trust-anchor');
  });

  it('an issuer without the CA flag', async () => {
    const notCa = await makeEntity({}, root());
    const signer = await makeEntity({}, notCa);
    const cms = await craftCms(data, { ...signer, chain: [notCa.certificate] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'issuer-not-a-ca');
  });

  it('a CA without keyCertSign', async () => {
    const ca = await makeEntity({ ca: {}, keyUsage: ['cRLSign'] }, root());
    const signer = await makeEntity({}, ca);
    const cms = await craftCms(data, { ...signer, chain: [ca.certificate] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'issuer-not-a-ca');
  });

  it('a sub-CA below the intermediate, whose pathLenConstraint is 0', async () => {
    const subCa = await makeEntity({ ca: {}, keyUsage: ['keyCertSign'] }, intermediate());
    const signer = await makeEntity({}, subCa);
    const cms = await craftCms(data, { ...signer, chain: [subCa.certificate, pki.certificate('intermediate-ca')] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'path-length-exceeded');
  });

  it('an unknown critical extension', async () => {
    const signer = await makeEntity({}, intermediate());
    signer.certificate.extensions?.push(new pkijs.Extension({ extnID: '2.999.1', critical: true, extnValue: new asn1js.Null().toBER(false) }));
    await signTbs(signer.certificate, pki.key('intermediate-ca'));
    const cms = await craftCms(data, { ...signer, chain: [pki.certificate('intermediate-ca')] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_UNTRUSTED', 'unknown-critical-extension');
  });

  it('returns the path leaf → anchor', async () => {
    const path = await validateCertificatePath(pki.certificate('tsa'), {
      trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], time: new Date(),
    });
    expect(path.map(subjectOf)).toEqual(['tsa', 'intermediate-ca', 'root-ca'].map((id) => subjectOf(pki.certificate(id as 'tsa'))));
  });
});

describe('validity at the signing time, not now → CERT_EXPIRED', () => {
  it('an expired signer signing today', async () => {
    const cms = await signDetached(data, pki.identity('expired-signer'));
    await expectCode(verifyDetached(data, cms, options), 'CERT_EXPIRED');
  });

  it('the same expired signer, for a signature made while its certificate was valid (two years ago)', async () => {
    const signingTime = new Date(Date.now() - 2 * YEAR);
    const cms = await signDetached(data, pki.identity('expired-signer'), { signingTime });
    const result = await verifyDetached(data, cms, { ...options, requireRevocation: true });
    expect(result.validationTime.getTime()).toBe(Math.floor(signingTime.getTime() / 1000) * 1000);
  });

  it('a certificate valid today but not yet valid at the signing time', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { signingTime: new Date(Date.now() - 10 * DAY) });
    await expectCode(verifyDetached(data, cms, options), 'CERT_EXPIRED');
  });

  it('an intermediate that had expired at the signing time', async () => {
    const now = Date.now();
    const oldCa = await makeEntity({ ca: {}, keyUsage: ['keyCertSign'], notBefore: new Date(now - 4 * YEAR), notAfter: new Date(now - YEAR) }, root());
    const signer = await makeEntity({ notBefore: new Date(now - 3 * YEAR), notAfter: new Date(now + YEAR) }, oldCa);
    const cms = await craftCms(data, { ...signer, chain: [oldCa.certificate] });
    await expectCode(verifyDetached(data, cms, options), 'CERT_EXPIRED');
    await expect(verifyDetached(data, await craftCms(data, { ...signer, chain: [oldCa.certificate] }, { signingTime: new Date(now - 2 * YEAR) }), options))
      .resolves.toBeDefined();
  });
});

describe('key usage → WRONG_KEY_USAGE', () => {
  it('a certificate with keyEncipherment only', async () => {
    const cms = await signDetached(data, pki.identity('keyenc-signer'));
    await expectCode(verifyDetached(data, cms, options), 'WRONG_KEY_USAGE');
  });

  it('nonRepudiation alone is enough', async () => {
    const signer = await makeEntity({ keyUsage: ['nonRepudiation'] }, intermediate());
    const cms = await craftCms(data, { ...signer, chain: [pki.certificate('intermediate-ca')] });
    await expect(verifyDetached(data, cms, options)).resolves.toBeDefined();
  });
});
