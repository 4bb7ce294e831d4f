// Certificate helpers (bundles, readable subject, serial, expiry) and key loading (PEM, PKCS#12).
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  certificateDer, daysToExpiry, extendedKeyUsageOf, keyUsageOf, notAfter, parseCertificates, serialNumberHex, subjectOf,
} from '../../../src/pki/certificates.ts';
import { bytesEqual } from '../../../src/pki/der.ts';
import { importPkcs8, importPrivateKeyPem } from '../../../src/pki/keys.ts';
import { OID_KP_TIME_STAMPING } from '../../../src/pki/oids.ts';
import { toPem } from '../../../src/pki/pem.ts';
import { readPkcs12 } from '../../../src/pki/pkcs12.ts';
import { loadSigningIdentity } from '../../../src/pki/signing-identity.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

let pki: TestPki;
beforeAll(async () => {
  pki = await getTestPki();
});

describe('certificates', () => {
  it('parses a PEM bundle in order, skipping other blocks, and a single DER certificate', async () => {
    const bundle = await readFile(pki.path('org-signer.chain.pem'), 'utf8');
    const withNoise = `Bag Attributes: x\n${bundle}\n${await readFile(pki.path('root-ca.crl.pem'), 'utf8')}`;
    expect(parseCertificates(withNoise).map(subjectOf)).toEqual([subjectOf(pki.certificate('org-signer')), subjectOf(pki.certificate('intermediate-ca'))]);
    const der = certificateDer(pki.certificate('head-ec'));
    expect(bytesEqual(certificateDer(parseCertificates(der)[0]!), der)).toBe(true);
  });

  it.each([
    ['garbage bytes', new Uint8Array([1, 2, 3])],
    ['a PEM file without certificates', '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'],
  ])('refuses %s with KEY_LOAD_FAILED', (_name, input) => {
    expect(() => parseCertificates(input)).toThrow(expect.objectContaining({ code: 'KEY_LOAD_FAILED' }));
  });

  it('refuses a truncated certificate', () => {
    const der = certificateDer(pki.certificate('head-ec'));
    expect(() => parseCertificates(der.subarray(0, der.length - 1))).toThrow(expect.objectContaining({ code: 'KEY_LOAD_FAILED' }));
  });

  it('reads the subject in Vietnamese, most specific first', () => {
    expect(subjectOf(pki.certificate('head-rsa'))).toBe(
      'CN=Nguyễn Văn An, UID=CCCD:001085012345, T=Giám đốc, O=Sở Giáo dục và Đào tạo tỉnh Demo, ST=Tỉnh Demo, C=VN',
    );
  });

  it('serial number in upper-case hex, as in the manifest', () => {
    expect(serialNumberHex(pki.certificate('org-signer'))).toBe(pki.manifest.files['org-signer.pem']?.serialNumber);
    expect(serialNumberHex(pki.certificate('org-signer'))).toMatch(/^[0-9A-F]+$/);
  });

  it('notAfter and whole days to expiry (negative once expired)', () => {
    const cert = pki.certificate('org-signer');
    expect(notAfter(cert).toISOString()).toBe(pki.manifest.files['org-signer.pem']?.notAfter);
    const inTenDays = new Date(notAfter(cert).getTime() - 10 * 86_400_000 - 1000);
    expect(daysToExpiry(cert, inTenDays)).toBe(10);
    expect(daysToExpiry(pki.certificate('expired-signer'), new Date())).toBeLessThan(-360);
  });

  it('key usage and extended key usage', () => {
    expect([...(keyUsageOf(pki.certificate('head-ec')) ?? [])]).toEqual(['digitalSignature', 'nonRepudiation']);
    expect([...(keyUsageOf(pki.certificate('keyenc-signer')) ?? [])]).toEqual(['keyEncipherment']);
    expect([...(keyUsageOf(pki.certificate('root-ca')) ?? [])]).toEqual(['keyCertSign', 'cRLSign']);
    expect(extendedKeyUsageOf(pki.certificate('tsa'))).toEqual([OID_KP_TIME_STAMPING]);
    expect(extendedKeyUsageOf(pki.certificate('head-ec'))).toBeUndefined();
  });
});

describe('keys', () => {
  it('imports PKCS#8, "EC PRIVATE KEY", "RSA PRIVATE KEY" and encrypted PKCS#8', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const sec1 = ec.export({ type: 'sec1', format: 'pem' }).toString();
    const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();
    const encrypted = rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'mật khẩu' }).toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(await importPrivateKeyPem(sec1)).toMatchObject({ kind: 'EC', sizeBits: 256 });
    expect(await importPrivateKeyPem(pkcs1)).toMatchObject({ kind: 'RSA', sizeBits: 2048 });
    expect(await importPrivateKeyPem(encrypted, 'mật khẩu')).toMatchObject({ kind: 'RSA' });
    await expect(importPrivateKeyPem(encrypted, 'sai')).rejects.toMatchObject({ code: 'KEY_LOAD_FAILED' });
  });

  it('refuses RSA keys under 2048 bits, curves we do not accept and non-keys', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await expect(importPkcs8(new Uint8Array(small.export({ type: 'pkcs8', format: 'der' })))).rejects.toMatchObject({ code: 'KEY_LOAD_FAILED' });
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    await expect(importPrivateKeyPem(k1.export({ type: 'pkcs8', format: 'pem' }).toString())).rejects.toMatchObject({ code: 'KEY_LOAD_FAILED' });
    await expect(importPrivateKeyPem(toPem('CERTIFICATE', certificateDer(pki.certificate('root-ca'))))).rejects.toMatchObject({ code: 'KEY_LOAD_FAILED' });
  });

  it('keeps no extractable key material', async () => {
    const key = await importPrivateKeyPem(await readFile(pki.identity('head-rsa').keyPath, 'utf8'));
    expect(key.signingKey.extractable).toBe(false);
    expect(key.pkcs1Key?.extractable).toBe(false);
  });
});

describe('signing identities', () => {
  it('opens the demo PKCS#12: key, its certificate, intermediates only (no root)', async () => {
    const identity = await loadSigningIdentity({ pkcs12: await readFile(pki.path('org-signer.p12')), password: pki.p12Password });
    expect(subjectOf(identity.certificate)).toBe(subjectOf(pki.certificate('org-signer')));
    expect(identity.chain.map(subjectOf)).toEqual([subjectOf(pki.certificate('intermediate-ca'))]);
    expect(identity.key).toMatchObject({ kind: 'RSA', sizeBits: 3072 });
  });

  it('a wrong PKCS#12 password → KEY_LOAD_FAILED', async () => {
    const p12 = await readFile(pki.path('org-signer.p12'));
    expect(() => readPkcs12(p12, 'sai-mat-khau')).toThrow(expect.objectContaining({ code: 'KEY_LOAD_FAILED', details: { reason: 'pkcs12-password' } }));
  });

  it('pairs a PEM key with its certificate out of a bundle, and refuses a certificate of another key', async () => {
    const signer = pki.identity('deputy');
    const keyPem = await readFile(signer.keyPath, 'utf8');
    const bundle = `${await readFile(pki.path('intermediates.pem'), 'utf8')}${await readFile(signer.certificatePath, 'utf8')}`;
    const identity = await loadSigningIdentity({ keyPem, certificatePem: bundle });
    expect(subjectOf(identity.certificate)).toBe(subjectOf(signer.certificate));
    expect(identity.chain).toHaveLength(1);
    await expect(loadSigningIdentity({ keyPem, certificatePem: await readFile(pki.identity('head-ec').certificatePath) }))
      .rejects.toMatchObject({ code: 'KEY_LOAD_FAILED', details: { reason: 'no-certificate-for-key' } });
  });

  it('the PKCS#8 the identity holds is the one in the file', async () => {
    const { privateKeyPkcs8 } = readPkcs12(await readFile(pki.path('org-signer.p12')), pki.p12Password);
    const fromFile = createPrivateKey(await readFile(pki.identity('org-signer').keyPath, 'utf8')).export({ type: 'pkcs8', format: 'der' });
    expect(bytesEqual(privateKeyPkcs8, new Uint8Array(fromFile))).toBe(true);
  });
});
