// SoftHSM2 tokens for tests: one token directory per test process (SOFTHSM2_CONF is read by the module
// at C_Initialize, so it is set once, before the first token is used), tokens initialised in-process,
// keys generated inside the token (non-extractable) and their certificates issued by the test PKI's
// intermediate CA and stored beside them.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, type CertificateProfile } from '../../src/pki/issue-certificate.ts';
import { certificateDer, type Certificate } from '../../src/pki/certificates.ts';
import { initializeToken, openPkcs11Token } from '../../src/pki/pkcs11.ts';
import type { TestPki } from './pki.ts';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const TOKEN_PIN = '123456';
export const TOKEN_SO_PIN = '87654321';

let tokenDir: string | undefined;

/** The SoftHSM token directory of this process (created on first use; removed at exit). */
export function softHsmDir(): string {
  if (tokenDir) return tokenDir;
  const base = mkdtempSync(join(tmpdir(), 'csdl-softhsm-'));
  tokenDir = join(base, 'tokens');
  mkdirSync(tokenDir);
  writeFileSync(join(base, 'softhsm2.conf'), `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = join(base, 'softhsm2.conf');
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  return tokenDir;
}

/** "Unplugs" a token: SoftHSM keeps each token in a directory of the token dir, named in its token.object. */
export function removeTestToken(label: string): void {
  const dir = softHsmDir();
  const own = readdirSync(dir).find((name) => {
    try {
      return readFileSync(join(dir, name, 'token.object')).includes(Buffer.from(label));
    } catch {
      return false;
    }
  });
  if (!own) throw new Error(`no SoftHSM token directory for ${label}`);
  rmSync(join(dir, own), { recursive: true, force: true });
}

export interface TokenKeySpec {
  readonly spec: 'RSA-2048' | 'EC-P256';
  readonly label: string;
  /** CKA_ID, hex. */
  readonly id: string;
  /** Certificate profile, minus the key (issued by the test PKI's intermediate CA). */
  readonly profile: Omit<CertificateProfile, 'publicKeyDer'>;
}

/** A fresh token with the given keys generated inside it and their certificates stored beside them. */
export async function createTestToken(pki: TestPki, label: string, keys: readonly TokenKeySpec[]): Promise<Map<string, Certificate>> {
  softHsmDir();
  initializeToken(SOFTHSM_MODULE, { label, soPin: TOKEN_SO_PIN, pin: TOKEN_PIN });
  const token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: label });
  const issued = new Map<string, Certificate>();
  try {
    await token.withSession(TOKEN_PIN, async (session) => {
      for (const key of keys) {
        const publicKeyDer = session.generateKeyPair(key.spec, { label: key.label, id: key.id });
        const certificate = await issueCertificate({ ...key.profile, publicKeyDer },
          { key: pki.key('intermediate-ca'), certificate: pki.certificate('intermediate-ca') });
        session.storeCertificate(certificateDer(certificate), { label: key.label, id: key.id });
        issued.set(key.label, certificate);
      }
    });
  } finally {
    token.close();
  }
  return issued;
}

/** Signer certificate profile valid from `from` to `to` (ms offsets from `now`), as the demo CA issues them. */
export function signerProfile(cn: string, now: Date, from = -86_400_000, to = 365 * 86_400_000): Omit<CertificateProfile, 'publicKeyDer'> {
  return {
    subject: [['C', 'VN'], ['ST', 'Tỉnh Demo'], ['O', 'Sở Y tế tỉnh Demo'], ['T', 'Giám đốc'], ['CN', cn]],
    notBefore: new Date(now.getTime() + from), notAfter: new Date(now.getTime() + to),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    crlUrl: 'http://pki.demo.invalid/intermediate-ca.crl',
  };
}
