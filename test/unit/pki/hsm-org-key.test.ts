// The organisation key in an HSM (SoftHSM2): provisioned non-extractable, loaded from SIGNER_PKCS11_*,
// a batch signed by it verifying in the gateway and in `openssl cms -verify`; the command line signing
// with a key on a token; every configuration and device mistake with a stable code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSigningSetup, loadSigningSetup, type SigningSetup } from '../../../src/approval/signing-setup.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { isGatewayError } from '../../../src/errors.ts';
import { referenceBatchXml } from '../../../src/bench/reference-xml.ts';
import { subjectOf } from '../../../src/pki/certificates.ts';
import { runSign } from '../../../src/pki/cli-commands.ts';
import { isDeviceKey } from '../../../src/pki/keys.ts';
import { openPkcs11Token } from '../../../src/pki/pkcs11.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { gatewayCodeOf } from '../../support/gateway-errors.ts';
import { provisionSoftHsmOrgKey, type ProvisionedHsm } from '../../../src/pki/softhsm-provision.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { opensslVerifyDetached } from '../../support/openssl.ts';

let pki: TestPki;
let hsm: ProvisionedHsm;
let dir: string;
const now = new Date();
const opened: SigningSetup[] = [];

const batch = Buffer.from(referenceBatchXml({ batchId: 'H55.19-2026-11-000001', senderCode: 'H55.19', period: '2026-11', createdAt: '2026-11-30T17:00:00+07:00' },
  ['<HoSo thaoTac="CAP_NHAT" phienBan="2"><SoDinhDanh>001090012345</SoDinhDanh></HoSo>']));

function hsmConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({}, {
    trustAnchorFiles: [pki.path('trust-anchors.pem')], crlFiles: [pki.path('crls.pem')],
    signerPkcs11Module: hsm.modulePath, signerPkcs11TokenLabel: hsm.tokenLabel, signerPkcs11KeyLabel: hsm.keyLabel, signerPkcs11PinFile: hsm.pinFile,
    ...overrides,
  });
}

/** Loads the setup (kept, to be closed afterwards) and answers the code it failed with, or NO_ERROR. */
const setupCode = (config: Config): Promise<string> => gatewayCodeOf(async () => { opened.push(await loadSigningSetup(config)); });

beforeAll(async () => {
  pki = await getTestPki();
  dir = mkdtempSync(join(tmpdir(), 'hsm-org-key-'));
  hsm = await provisionSoftHsmOrgKey({ dir: join(dir, 'hsm'), pkiDir: pki.dir, now, spec: 'RSA-2048' });
  writeFileSync(join(dir, 'batch.xml'), batch);
});
afterAll(() => {
  for (const s of opened) closeSigningSetup(s);
  rmSync(dir, { recursive: true, force: true });
});

describe('the organisation key provisioned in the HSM', () => {
  it('is sensitive and never extractable; its value cannot be read', async () => {
    const token = openPkcs11Token({ modulePath: hsm.modulePath, tokenLabel: hsm.tokenLabel });
    try {
      const info = await token.withSession(hsm.pin, async (s) => s.describeKey({ keyLabel: hsm.keyLabel }));
      expect(info).toMatchObject({ kind: 'RSA', extractable: false, sensitive: true, valueReadable: false });
    } finally {
      token.close();
    }
  });

  it('signs a batch from SIGNER_PKCS11_*: the CMS verifies in the gateway and in openssl cms -verify', async () => {
    const setup = await loadSigningSetup(hsmConfig());
    opened.push(setup);
    const signer = setup.orgSigner!;
    expect(isDeviceKey(signer.key)).toBe(true);
    expect(subjectOf(signer.certificate)).toContain('Sở Nội vụ tỉnh Demo (HSM)');
    expect(signer.chain.map(subjectOf)).toEqual([subjectOf(pki.certificate('intermediate-ca'))]); // the intermediate stored on the token
    const cms = await signDetached(batch, signer, { signingTime: now });
    const verified = await verifyDetached(batch, cms, { trustAnchors: setup.trustAnchors, crls: setup.crls, requireRevocation: true, now });
    expect(verified.algorithm).toMatchObject({ scheme: 'RSASSA-PSS', saltLength: 32 });
    expect((await opensslVerifyDetached(pki, batch, cms)).output).toContain('Verification successful');
  });
});

describe('shutdown', () => {
  it('closeSigningSetup logs the key out and releases the token: nothing signs with it afterwards', async () => {
    const setup = await loadSigningSetup(hsmConfig());
    closeSigningSetup(setup);
    closeSigningSetup(setup); // twice is harmless
    expect(await signDetached(batch, setup.orgSigner!, { signingTime: now }).then(() => 'signed', (err: unknown) => (isGatewayError(err) ? err.code : 'other')))
      .toBe('PKCS11_TOKEN_UNAVAILABLE');
  });
});

describe('configuration and device mistakes', () => {
  it.each([
    ['a PKCS#12 file as well', { signerP12File: 'org-signer.p12', signerP12Password: 'x' }, 'CONFIG_INVALID'],
    ['no key label or id', { signerPkcs11KeyLabel: '' }, 'CONFIG_INVALID'],
    ['no token label or slot', { signerPkcs11TokenLabel: '' }, 'CONFIG_INVALID'],
    ['a slot that is not a number', { signerPkcs11TokenLabel: '', signerPkcs11Slot: 'first' }, 'CONFIG_INVALID'],
    ['no PIN', { signerPkcs11PinFile: '' }, 'CONFIG_INVALID'],
    ['an unreadable PIN file', { signerPkcs11PinFile: '/nonexistent/pin' }, 'CONFIG_INVALID'],
    ['a wrong PIN', { signerPkcs11Pin: '00000000' }, 'PKCS11_PIN_INCORRECT'],
    ['a token that is not there', { signerPkcs11TokenLabel: 'no-such-hsm' }, 'PKCS11_TOKEN_NOT_FOUND'],
    ['a key that is not on the token', { signerPkcs11KeyLabel: 'no-such-key' }, 'PKCS11_KEY_NOT_FOUND'],
    ['a module that does not load', { signerPkcs11Module: '/nonexistent/libpkcs11.so' }, 'PKCS11_MODULE_LOAD_FAILED'],
  ] as const)('%s: %s', async (_name, overrides, code) => {
    expect(await setupCode(hsmConfig(overrides as Partial<Config>))).toBe(code);
  });
});

describe('csdl-gateway sign --pkcs11-module', () => {
  const base = () => ({ in: join(dir, 'batch.xml'), p12PasswordEnv: '', pkcs11Module: hsm.modulePath, tokenLabel: hsm.tokenLabel, keyLabel: hsm.keyLabel });

  it('signs with the key and the certificate on the token, PIN from PKCS11_PIN; openssl verifies', async () => {
    const out = join(dir, 'env.p7s');
    const result = await runSign({ ...base(), out, env: { PKCS11_PIN: hsm.pin } });
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain('Sở Nội vụ tỉnh Demo (HSM)');
    expect((await opensslVerifyDetached(pki, batch, readFileSync(out))).output).toContain('Verification successful');
  });

  it('asks the PIN when PKCS11_PIN is not set', async () => {
    let asked = 0;
    const result = await runSign({ ...base(), out: join(dir, 'asked.p7s'), env: {}, askPin: async () => { asked += 1; return hsm.pin; } });
    expect(result.exitCode).toBe(0);
    expect(asked).toBe(1);
  });

  it.each([
    ['a wrong PIN', () => ({ env: { PKCS11_PIN: '1111' } }), 1, 'PKCS11_PIN_INCORRECT'],
    ['no PIN at all', () => ({ env: {} }), 1, 'PKCS11_PIN_REQUIRED'],
    ['a key label not on the token', () => ({ keyLabel: 'nobody', env: { PKCS11_PIN: hsm.pin } }), 1, 'PKCS11_KEY_NOT_FOUND'],
    ['a token not plugged in', () => ({ tokenLabel: 'usb-absent', env: { PKCS11_PIN: hsm.pin } }), 1, 'PKCS11_TOKEN_NOT_FOUND'],
    ['no key label', () => ({ keyLabel: undefined, env: { PKCS11_PIN: hsm.pin } }), 2, 'BAD_REQUEST'],
    ['a key file as well', () => ({ key: join(dir, 'org.key.pem'), env: { PKCS11_PIN: hsm.pin } }), 2, 'BAD_REQUEST'],
  ] as const)('%s: exit %i, %s, no output file', async (_name, extra, exitCode, code) => {
    const out = join(dir, `bad-${code}.p7s`);
    const result = await runSign({ ...base(), out, ...extra() });
    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr.startsWith(`${code}:`)).toBe(true);
    expect(() => readFileSync(out)).toThrow();
  });
});
