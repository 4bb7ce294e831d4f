// A SoftHSM2 token holding the organisation key, for `demo --hsm` and the HSM figure of `npm run bench`:
// a token directory of its own, a token initialised in it, an RSA key generated inside the token (never
// extractable), its certificate issued by the demo intermediate CA and stored beside it with the
// intermediate. A production HSM is provisioned by its own tools; the gateway then only needs
// SIGNER_PKCS11_* (README).
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateDer, parseCertificates } from './certificates.ts';
import { issueCertificate, type NameSpec } from './issue-certificate.ts';
import { importPrivateKeyPem } from './keys.ts';
import { initializeToken, openPkcs11Token } from './pkcs11.ts';

/** Debian's softhsm2 package. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface ProvisionedHsm {
  readonly modulePath: string;
  /** The SOFTHSM2_CONF file; set in this process and to be passed to children. */
  readonly conf: string;
  readonly tokenLabel: string;
  readonly keyLabel: string;
  readonly pinFile: string;
  readonly pin: string;
}

const ORG_SUBJECT: NameSpec = [['C', 'VN'], ['ST', 'Tỉnh Demo'], ['O', 'Sở Nội vụ tỉnh Demo'], ['CN', 'Sở Nội vụ tỉnh Demo (HSM)']];
const DAY_MS = 86_400_000;

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(0, 10))).join('');

/**
 * Creates the token under `dir` (which must be new) from the demo PKI in `pkiDir`. SoftHSM reads
 * SOFTHSM2_CONF once, at the first C_Initialize of the process: call this before any other PKCS#11 use.
 */
export async function provisionSoftHsmOrgKey(options: { dir: string; pkiDir: string; now: Date; spec?: 'RSA-2048' | 'RSA-3072' }): Promise<ProvisionedHsm> {
  const tokens = join(options.dir, 'tokens');
  mkdirSync(tokens, { recursive: true });
  const conf = join(options.dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const pin = digits(8);
  const pinFile = join(options.dir, 'pin');
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  const tokenLabel = 'csdl-hsm';
  const keyLabel = 'org-signer';
  initializeToken(SOFTHSM_MODULE, { label: tokenLabel, soPin: digits(10), pin });

  const issuerCert = parseCertificates(readFileSync(join(options.pkiDir, 'intermediate-ca.pem')))[0]!;
  const issuerKey = await importPrivateKeyPem(readFileSync(join(options.pkiDir, 'intermediate-ca.key.pem')));
  const token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel });
  try {
    await token.withSession(pin, async (session) => {
      const publicKeyDer = session.generateKeyPair(options.spec ?? 'RSA-3072', { label: keyLabel, id: '01' });
      const certificate = await issueCertificate({
        subject: ORG_SUBJECT, publicKeyDer, notBefore: new Date(options.now.getTime() - DAY_MS), notAfter: new Date(options.now.getTime() + 2 * 365 * DAY_MS),
        keyUsage: ['digitalSignature', 'nonRepudiation'], crlUrl: 'http://pki.demo.invalid/intermediate-ca.crl', ocspUrl: 'http://pki.demo.invalid/ocsp',
      }, { key: issuerKey, certificate: issuerCert });
      session.storeCertificate(certificateDer(certificate), { label: keyLabel, id: '01' });
      session.storeCertificate(certificateDer(issuerCert), { label: 'intermediate-ca', id: 'ca01' });
    });
  } finally {
    token.close();
  }
  return { modulePath: SOFTHSM_MODULE, conf, tokenLabel, keyLabel, pinFile, pin };
}
