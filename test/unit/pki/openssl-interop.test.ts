// Interoperability with the real OpenSSL (3.0, /usr/bin/openssl): it accepts what we produce, and
// we accept what it produces (`openssl cms -sign -cades`, as NATIONAL_API.md §3 names it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { digestBytes } from '../../../src/pki/algorithms.ts';
import { issueCertificate } from '../../../src/pki/issue-certificate.ts';
import { OID_ATTR_SIGNING_CERTIFICATE_V2 } from '../../../src/pki/oids.ts';
import { createOcspResponder } from '../../../src/pki/ocsp-responder.ts';
import { toPem } from '../../../src/pki/pem.ts';
import { readSignedAttributes } from '../../../src/pki/signed-attributes.ts';
import { decodeSignedData } from '../../../src/pki/signed-data.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { loadSigningIdentity } from '../../../src/pki/signing-identity.ts';
import { buildTimestampRequest } from '../../../src/pki/timestamp-client.ts';
import { createTsaHandler } from '../../../src/pki/tsa.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';
let pki: TestPki;
let dir: string;
let options: VerifyOptions;
const content = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<GoiTinDongBo xmlns="urn:vn:gov:cbccvc:dongbo:1">Đặng Thị Ngọc Hân</GoiTinDongBo>\n');
const PSS = ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32', '-keyopt', 'rsa_mgf1_md:sha256'];

async function openssl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(OPENSSL, args, { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const file = (name: string) => join(dir, name);

/** `openssl cms -sign -cades` with one of the demo signers; returns the DER signature. */
async function opensslSign(entity: 'org-signer' | 'head-rsa' | 'head-ec', extra: string[] = [], md = 'sha256'): Promise<Uint8Array> {
  const signer = pki.identity(entity);
  const out = file(`${entity}-${Math.random().toString(36).slice(2)}.p7s`);
  const result = await openssl([
    'cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', md, '-in', file('content.xml'), '-out', out,
    '-signer', signer.certificatePath, '-inkey', signer.keyPath, ...extra, '-certfile', pki.path('intermediates.pem'),
  ]);
  expect(result.stderr).toBe('');
  return new Uint8Array(await readFile(out));
}

function attributeTypes(cms: Uint8Array): string[] {
  return (decodeSignedData(cms, 'BAD_SIGNATURE').signerInfo.signedAttrs?.attributes ?? []).map((attribute) => attribute.type).sort();
}

beforeAll(async () => {
  pki = await getTestPki();
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true };
  dir = await mkdtemp(join(tmpdir(), 'pki-openssl-'));
  await writeFile(file('content.xml'), content);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OpenSSL verifies our signatures', () => {
  it.each(['org-signer', 'head-rsa', 'head-ec', 'deputy'] as const)('%s (openssl cms -verify, with CRL checks)', async (entity) => {
    await writeFile(file(`ours-${entity}.p7s`), await signDetached(content, pki.identity(entity)));
    // `cms` has no -CRLfile: CRLs placed in the CAfile are loaded with the anchors.
    await writeFile(file('anchors-and-crls.pem'), `${await readFile(pki.path('trust-anchors.pem'), 'utf8')}${await readFile(pki.path('crls.pem'), 'utf8')}`);
    const result = await openssl([
      'cms', '-verify', '-binary', '-inform', 'DER', '-in', file(`ours-${entity}.p7s`), '-content', file('content.xml'),
      '-CAfile', file('anchors-and-crls.pem'), '-purpose', 'any', '-crl_check_all', '-out', '/dev/null',
    ]);
    expect(result.stderr).toContain('Verification successful');
    expect(result.code).toBe(0);
  });

  it('and refuses them for other content, as we do', async () => {
    await writeFile(file('ours.p7s'), await signDetached(content, pki.identity('head-ec')));
    await writeFile(file('other.xml'), Buffer.concat([content, Buffer.from(' ')]));
    const result = await openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file('ours.p7s'), '-content', file('other.xml'), '-CAfile', pki.path('trust-anchors.pem'), '-purpose', 'any']);
    expect(result.code).not.toBe(0);
  });

  it('verifies our certificates, CRLs and PKCS#12', async () => {
    const chain = await openssl(['verify', '-CAfile', pki.path('trust-anchors.pem'), '-untrusted', pki.path('intermediates.pem'),
      '-crl_check_all', '-CRLfile', pki.path('crls.pem'), pki.path('org-signer.pem'), pki.path('tsa.pem')]);
    expect(chain.code).toBe(0);
    const revoked = await openssl(['verify', '-CAfile', pki.path('trust-anchors.pem'), '-untrusted', pki.path('intermediates.pem'),
      '-crl_check', '-CRLfile', pki.path('crls.pem'), pki.path('revoked-signer.pem')]);
    expect(revoked.stdout + revoked.stderr).toContain('certificate revoked');
    const crl = await openssl(['crl', '-in', pki.path('intermediate-ca.crl.pem'), '-CAfile', pki.path('intermediate-ca.pem'), '-noout']);
    expect(crl.stderr + crl.stdout).toContain('verify OK');
    const p12 = await openssl(['pkcs12', '-in', pki.path('org-signer.p12'), '-passin', `pass:${pki.p12Password}`, '-noout']);
    expect(p12.code).toBe(0);
  });
});

describe('we verify OpenSSL’s signatures', () => {
  it('RSASSA-PSS (salt 32, MGF1-SHA-256)', async () => {
    const result = await verifyDetached(content, await opensslSign('org-signer', PSS), options);
    expect(result.algorithm).toEqual({ scheme: 'RSASSA-PSS', hash: 'SHA-256', saltLength: 32 });
  });

  it.each([20, 64, 222])('refuses a valid RSASSA-PSS signature with salt %i (§3 says 32), with the reason', async (salt) => {
    const other = PSS.map((arg) => (arg === 'rsa_pss_saltlen:32' ? `rsa_pss_saltlen:${salt}` : arg));
    const cms = await opensslSign('org-signer', other);
    await expect(verifyDetached(content, cms, options)).rejects.toMatchObject({
      code: 'BAD_SIGNATURE', details: { reason: 'pss-salt-length-not-accepted', saltLength: salt, expected: { hash: 'SHA-256', saltLength: 32 } },
    });
  });

  it('refuses RSASSA-PSS over SHA-384 (§3: SHA-256, MGF1-SHA-256)', async () => {
    const sha384 = ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:48', '-keyopt', 'rsa_mgf1_md:sha384'];
    await expect(verifyDetached(content, await opensslSign('org-signer', sha384, 'sha384'), options)).rejects.toMatchObject({
      code: 'BAD_SIGNATURE', details: { reason: 'pss-hash-not-accepted' },
    });
  });

  it('ECDSA P-256', async () => {
    const result = await verifyDetached(content, await opensslSign('head-ec'), options);
    expect(result.algorithm).toEqual({ scheme: 'ECDSA', hash: 'SHA-256' });
  });

  it('RSA PKCS#1 v1.5 (older certificates)', async () => {
    const result = await verifyDetached(content, await opensslSign('head-rsa'), options);
    expect(result.algorithm).toEqual({ scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  });

  it('refuses SHA-1 digests', async () => {
    await expect(verifyDetached(content, await opensslSign('head-ec', [], 'sha1'), options)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('refuses RSA keys under 2048 bits', async () => {
    await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', file('weak.key')]);
    const spki = await openssl(['pkey', '-in', file('weak.key'), '-pubout', '-outform', 'DER', '-out', file('weak.spki')]);
    expect(spki.code).toBe(0);
    const cert = await issueCertificate({
      subject: [['CN', 'Khóa yếu']], publicKeyDer: new Uint8Array(await readFile(file('weak.spki'))), notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000), keyUsage: ['digitalSignature'],
    }, { key: pki.key('intermediate-ca'), certificate: pki.certificate('intermediate-ca') });
    await writeFile(file('weak.pem'), toPem('CERTIFICATE', new Uint8Array(cert.toSchema().toBER(false))));
    await openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'sha256', '-in', file('content.xml'), '-out', file('weak.p7s'),
      '-signer', file('weak.pem'), '-inkey', file('weak.key'), '-certfile', pki.path('intermediates.pem')]);
    await expect(verifyDetached(content, new Uint8Array(await readFile(file('weak.p7s'))), options))
      .rejects.toMatchObject({ code: 'BAD_SIGNATURE', details: { reason: 'key-not-accepted' } });
  });

  it('and notices content changed under an OpenSSL signature', async () => {
    await expect(verifyDetached(Buffer.from('khác'), await opensslSign('head-ec'), options)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });
});

describe('the same CAdES-BES attribute set as `openssl cms -sign -cades`', () => {
  it('equal with -nosmimecap; OpenSSL’s default only adds smimeCapabilities', async () => {
    const ours = attributeTypes(await signDetached(content, pki.identity('head-ec')));
    expect(attributeTypes(await opensslSign('head-ec', ['-nosmimecap']))).toEqual(ours);
    const withCaps = attributeTypes(await opensslSign('head-ec'));
    expect(withCaps.filter((oid) => !ours.includes(oid))).toEqual(['1.2.840.113549.1.9.15']);
  });

  it('with the same ESSCertIDv2 (SHA-256 hash, issuerSerial) for the same certificate', async () => {
    const idOf = (cms: Uint8Array) => {
      const info = decodeSignedData(cms, 'BAD_SIGNATURE').signerInfo;
      const values = readSignedAttributes(info.signedAttrs as pkijs.SignedAndUnsignedAttributes, 'BAD_SIGNATURE');
      return values.essCertIdsV2;
    };
    const theirs = await opensslSign('head-rsa', ['-nosmimecap']);
    expect(idOf(await signDetached(content, pki.identity('head-rsa')))).toEqual(idOf(theirs));
    expect(decodeSignedData(theirs, 'BAD_SIGNATURE').signerInfo.signedAttrs?.attributes.some((a) => a.type === OID_ATTR_SIGNING_CERTIFICATE_V2)).toBe(true);
  });
});

describe('time-stamps, OCSP and PKCS#12 with OpenSSL', () => {
  it('OpenSSL verifies a token from our TSA, for a query OpenSSL made', async () => {
    const query = await openssl(['ts', '-query', '-data', file('content.xml'), '-sha256', '-cert', '-out', file('query.tsq')]);
    expect(query.code).toBe(0);
    const tsa = createTsaHandler({ certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')] });
    await writeFile(file('reply.tsr'), await tsa(new Uint8Array(await readFile(file('query.tsq')))));
    const verified = await openssl(['ts', '-verify', '-queryfile', file('query.tsq'), '-in', file('reply.tsr'),
      '-CAfile', pki.path('trust-anchors.pem'), '-untrusted', pki.path('intermediates.pem')]);
    expect(verified.stdout).toContain('Verification: OK');
  });

  it('OpenSSL also checks our TSA’s imprint against the data', async () => {
    const tsa = createTsaHandler({ certificate: pki.certificate('tsa'), key: pki.key('tsa'), chain: [pki.certificate('intermediate-ca')] });
    const reply = await tsa(buildTimestampRequest(digestBytes('SHA-256', content), 'SHA-256', new Uint8Array([7])));
    await writeFile(file('reply2.tsr'), reply);
    const verified = await openssl(['ts', '-verify', '-data', file('content.xml'), '-in', file('reply2.tsr'),
      '-CAfile', pki.path('trust-anchors.pem'), '-untrusted', pki.path('intermediates.pem')]);
    expect(verified.stdout).toContain('Verification: OK');
  });

  it('OpenSSL accepts our OCSP responder’s answer to its request', async () => {
    const request = await openssl(['ocsp', '-issuer', pki.path('intermediate-ca.pem'), '-cert', pki.path('head-ec.pem'), '-reqout', file('ocsp.req')]);
    expect(request.code).toBe(0);
    const responder = createOcspResponder({
      issuer: pki.certificate('intermediate-ca'), responderCertificate: pki.certificate('ocsp-responder'), responderKey: pki.key('ocsp-responder'),
      statusOf: () => ({ status: 'good' }),
    });
    await writeFile(file('ocsp.resp'), await responder(new Uint8Array(await readFile(file('ocsp.req')))));
    // With -reqin, OpenSSL also checks that the answer echoes the request's nonce.
    const checked = await openssl(['ocsp', '-reqin', file('ocsp.req'), '-respin', file('ocsp.resp'), '-resp_text',
      '-CAfile', pki.path('trust-anchors.pem'), '-verify_other', pki.path('intermediates.pem')]);
    expect(checked.stderr).toContain('Response verify OK');
    expect(checked.stdout).toContain('Cert Status: good');
  });

  it.each(['head-ec', 'head-rsa'] as const)('we open a PKCS#12 of %s written by OpenSSL 3 (AES-256, PBKDF2, SHA-256 MAC, non-ASCII password)', async (entity) => {
    const signer = pki.identity(entity);
    const exported = await openssl(['pkcs12', '-export', '-inkey', signer.keyPath, '-in', signer.certificatePath, '-certfile', pki.path('intermediates.pem'),
      '-passout', 'pass:mật-khẩu', '-out', file(`${entity}.p12`)]);
    expect(exported.code).toBe(0);
    const p12 = await readFile(file(`${entity}.p12`));
    await expect(loadSigningIdentity({ pkcs12: p12, password: 'mat-khau' })).rejects.toMatchObject({ code: 'KEY_LOAD_FAILED', details: { reason: 'pkcs12-password' } });
    const identity = await loadSigningIdentity({ pkcs12: p12, password: 'mật-khẩu' });
    const cms = await signDetached(content, identity);
    await expect(verifyDetached(content, cms, options)).resolves.toMatchObject({ serialNumber: expect.any(String) });
  });
});
