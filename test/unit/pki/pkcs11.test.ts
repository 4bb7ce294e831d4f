// The PKCS#11 wrapper against a real token (SoftHSM2): non-extractable keys generated inside it,
// CMS signed on the token verifying in the gateway and in OpenSSL, and every device failure mapped to
// a stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { openPkcs11Token, pkcs11Error, isTransientDeviceError, openDeviceKey } from '../../../src/pki/pkcs11.ts';
import { loadSigningIdentity, type SigningIdentity } from '../../../src/pki/signing-identity.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { subjectOf } from '../../../src/pki/certificates.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { gatewayCodeOf } from '../../support/gateway-errors.ts';
import { createTestToken, removeTestToken, signerProfile, SOFTHSM_MODULE, TOKEN_PIN } from '../../support/softhsm.ts';
import { opensslVerifyDetached } from '../../support/openssl.ts';

let pki: TestPki;
const now = new Date();
const content = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><GoiTinDongBo xmlns="urn:vn:gov:cbccvc:dongbo:1">Đặng Thị Ngọc Hân</GoiTinDongBo>');


beforeAll(async () => {
  pki = await getTestPki();
  await createTestToken(pki, 'hsm', [
    { spec: 'RSA-2048', label: 'org-rsa', id: '01', profile: signerProfile('Sở Nội vụ tỉnh Demo (HSM)', now) },
    { spec: 'EC-P256', label: 'org-ec', id: '02', profile: signerProfile('Sở Nội vụ tỉnh Demo (HSM, EC)', now) },
  ]);
});

describe('keys generated on the token', () => {
  it.each(['org-rsa', 'org-ec'])('%s is sensitive, not extractable, and its value cannot be read', async (label) => {
    const token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm' });
    try {
      const info = await token.withSession(TOKEN_PIN, async (session) => session.describeKey({ keyLabel: label }));
      expect(info).toMatchObject({ label, extractable: false, sensitive: true, valueReadable: false });
      expect(token.listCertificates().map((c) => c.label).sort()).toEqual(['org-ec', 'org-rsa']);
    } finally {
      token.close();
    }
  });
});

describe('CMS signed on the token', () => {
  it.each([['org-rsa', 'RSASSA-PSS'], ['org-ec', 'ECDSA']] as const)('%s: verifies in the gateway and in openssl cms -verify', async (label, scheme) => {
    const identity = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm', keyLabel: label, pin: TOKEN_PIN } });
    try {
      expect(subjectOf(identity.certificate)).toContain('Sở Nội vụ tỉnh Demo (HSM');
      expect(identity.chain.map(subjectOf)).toEqual([]); // the intermediate is not on the token
      const signer: SigningIdentity = { ...identity, chain: [pki.certificate('intermediate-ca')] };
      const cms = await signDetached(content, signer, { signingTime: now });
      const verified = await verifyDetached(content, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, now });
      expect(verified.algorithm.scheme).toBe(scheme);
      if (scheme === 'RSASSA-PSS') expect(verified.algorithm.saltLength).toBe(32);
      const openssl = await opensslVerifyDetached(pki, content, cms);
      expect(openssl.output).toContain('Verification successful');
    } finally {
      (identity.key as unknown as { close(): void }).close();
    }
  });
});

describe('device failures have stable codes', () => {
  it('a wrong PIN is PKCS11_PIN_INCORRECT; SoftHSM2 never locks the PIN, so the right one still works after 12 wrong ones', async () => {
    const token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm' });
    try {
      for (let i = 0; i < 12; i += 1) expect(await gatewayCodeOf(token.withSession('000000', async () => 'signed'))).toBe('PKCS11_PIN_INCORRECT');
      // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW but has no retry limit (no CKR_PIN_LOCKED); real tokens lock (mapped below).
      expect(token.pinStatus()).toMatchObject({ countLow: true, locked: false });
      expect(await token.withSession(TOKEN_PIN, async () => 'signed')).toBe('signed');
      expect(await gatewayCodeOf(token.withSession('', async () => 'signed'))).toBe('PKCS11_PIN_REQUIRED');
    } finally {
      token.close();
    }
  });

  it('while the HSM key is logged in for the process, another login still checks its PIN, and ending it does not log the key out', async () => {
    const identity = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm', keyLabel: 'org-ec', pin: TOKEN_PIN } });
    const token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm' });
    try {
      // The device answers CKR_USER_ALREADY_LOGGED_IN without looking at the PIN: the wrapper must refuse it.
      expect(await gatewayCodeOf(token.withSession('000000', async () => 'signed'))).toBe('PKCS11_PIN_INCORRECT');
      expect(await token.withSession(TOKEN_PIN, async () => 'signed')).toBe('signed');
      // That session's end did not C_Logout the organisation key's session.
      expect((await signDetached(content, identity, { signingTime: now })).byteLength).toBeGreaterThan(500);
    } finally {
      token.close();
      (identity.key as unknown as { close(): void }).close();
    }
  });

  it('maps the PKCS#11 return values of real tokens', () => {
    const err = (name: string) => Object.assign(new Error(name), { code: 1 });
    expect(pkcs11Error(err('CKR_PIN_LOCKED'), 'C_Login').code).toBe('PKCS11_PIN_LOCKED');
    expect(pkcs11Error(err('CKR_PIN_INCORRECT'), 'C_Login').code).toBe('PKCS11_PIN_INCORRECT');
    for (const gone of ['CKR_TOKEN_NOT_PRESENT', 'CKR_DEVICE_REMOVED', 'CKR_SESSION_HANDLE_INVALID', 'CKR_DEVICE_ERROR']) {
      const mapped = pkcs11Error(err(gone), 'C_Sign');
      expect(mapped.code).toBe('PKCS11_TOKEN_UNAVAILABLE');
      expect(isTransientDeviceError(mapped)).toBe(true);
    }
    expect(pkcs11Error(err('CKR_MECHANISM_INVALID'), 'C_SignInit').code).toBe('PKCS11_MECHANISM_UNSUPPORTED');
    expect(pkcs11Error(err('CKR_FUNCTION_CANCELED'), 'C_Sign').code).toBe('SIGNING_DECLINED');
    expect(pkcs11Error(err('CKR_VENDOR_DEFINED'), 'C_Sign').code).toBe('PKCS11_ERROR');
    expect(isTransientDeviceError(pkcs11Error(err('CKR_PIN_LOCKED'), 'C_Login'))).toBe(false);
    const ours = new GatewayError('SIGNING_DECLINED');
    expect(pkcs11Error(ours, 'x')).toBe(ours);
  });

  it('an unknown module, token or key', async () => {
    expect(await gatewayCodeOf(() => openPkcs11Token({ modulePath: '/nonexistent/libpkcs11.so', tokenLabel: 'hsm' }))).toBe('PKCS11_MODULE_LOAD_FAILED');
    expect(await gatewayCodeOf(() => openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'no-such-token' }))).toBe('PKCS11_TOKEN_NOT_FOUND');
    expect(await gatewayCodeOf(openDeviceKey({ modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm', keyLabel: 'no-such-key', pin: TOKEN_PIN }))).toBe('PKCS11_KEY_NOT_FOUND');
    expect(await gatewayCodeOf(openDeviceKey({ modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm', keyLabel: 'org-ec', pin: 'wrong' }))).toBe('PKCS11_PIN_INCORRECT');
  });

  it('a token removed while the key is in use: PKCS11_TOKEN_UNAVAILABLE (transient), nothing signed', async () => {
    await createTestToken(pki, 'removable', [{ spec: 'EC-P256', label: 'k', id: '0a', profile: signerProfile('Removable', now) }]);
    const identity = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'removable', keyLabel: 'k', pin: TOKEN_PIN } });
    try {
      expect((await signDetached(content, identity, { signingTime: now })).byteLength).toBeGreaterThan(500);
      removeTestToken('removable');
      const failure = await gatewayCodeOf(signDetached(content, identity, { signingTime: now }));
      expect(failure).toBe('PKCS11_TOKEN_UNAVAILABLE');
      // The other token of the module is unaffected.
      const other = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm', keyLabel: 'org-ec', pin: TOKEN_PIN } });
      expect((await signDetached(content, other, { signingTime: now })).byteLength).toBeGreaterThan(500);
      (other.key as unknown as { close(): void }).close();
    } finally {
      (identity.key as unknown as { close(): void }).close();
    }
  });
});

