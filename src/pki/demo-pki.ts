// Makes the DEMO PKI of csdl-gateway: CAs, signers, TSA, OCSP responder, TLS certificates, CRLs and a
// PKCS#12 file, as PEM files in one directory. Demo keys only, never for production (certs.example/README.md).
// Lives under src/ so the built CLI (the demo) can make it; certs.example/make-pki.ts is its script.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateDer, subjectOf, serialNumberHex, type Certificate, type KeyUsageName } from './certificates.ts';
import { createCrl, crlDer, type RevocationEntry } from './crl.ts';
import { issueCertificate, type CertificateProfile, type NameSpec } from './issue-certificate.ts';
import { generateSigningKey, type KeySpec, type SigningKey } from './keys.ts';
import { OID_KP_CLIENT_AUTH, OID_KP_OCSP_SIGNING, OID_KP_SERVER_AUTH, OID_KP_TIME_STAMPING } from './oids.ts';
import { toPem } from './pem.ts';
import { writePkcs12 } from './pkcs12.ts';
import { systemClock, type Clock } from '../clock.ts';

/** Password of org-signer.p12 (also in README.md). A demo value: production reads it from an env var. */
export const DEMO_P12_PASSWORD = 'demo-only-password';
/** Base of the CRL and OCSP URLs written into certificates (.invalid never resolves). */
const PKI_URL = 'http://pki.demo.invalid';

export type DemoEntity =
  | 'root-ca' | 'intermediate-ca' | 'org-signer' | 'head-rsa' | 'head-ec' | 'deputy' | 'expired-signer'
  | 'revoked-signer' | 'keyenc-signer' | 'national-root-ca' | 'national-signer' | 'tsa' | 'ocsp-responder'
  | 'tls-server' | 'tls-client';

export type DemoCrl = 'root-ca' | 'intermediate-ca' | 'national-root-ca';

interface EntitySpec {
  readonly id: DemoEntity;
  readonly description: string;
  readonly key: KeySpec;
  /** undefined → self-signed. */
  readonly issuer?: DemoEntity;
  readonly subject: NameSpec;
  readonly validity: readonly [fromDays: number, toDays: number];
  readonly profile: Omit<CertificateProfile, 'subject' | 'publicKeyDer' | 'notBefore' | 'notAfter'>;
}

const YEAR = 365;
const PROVINCE: NameSpec = [['C', 'VN'], ['ST', 'Tỉnh Demo']];
const SIGNER_USAGE: KeyUsageName[] = ['digitalSignature', 'nonRepudiation'];
const ISSUED_BY_INTERMEDIATE = { crlUrl: `${PKI_URL}/intermediate-ca.crl`, ocspUrl: `${PKI_URL}/ocsp` } as const;

/** In issuing order: every issuer comes before what it issues. */
const ENTITIES: readonly EntitySpec[] = [
  {
    id: 'root-ca', description: 'Provincial root CA (trust anchor)', key: 'RSA-3072',
    subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'Demo Provincial Root CA']],
    validity: [-10 * YEAR, 15 * YEAR], profile: { ca: {}, keyUsage: ['keyCertSign', 'cRLSign'] },
  },
  {
    id: 'intermediate-ca', description: 'Provincial intermediate CA that issues every signer', key: 'RSA-3072', issuer: 'root-ca',
    subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'Demo Provincial Signing CA']],
    validity: [-5 * YEAR, 10 * YEAR], profile: { ca: { pathLength: 0 }, keyUsage: ['keyCertSign', 'cRLSign'], crlUrl: `${PKI_URL}/root-ca.crl` },
  },
  {
    id: 'org-signer', description: 'Sở Nội vụ organisation signer (RSA-3072, signs batches with RSASSA-PSS)', key: 'RSA-3072', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Nội vụ tỉnh Demo'], ['CN', 'Sở Nội vụ tỉnh Demo']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'head-rsa', description: 'Agency head, personal signer (RSA-2048)', key: 'RSA-2048', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Giáo dục và Đào tạo tỉnh Demo'], ['T', 'Giám đốc'], ['UID', 'CCCD:001085012345'], ['CN', 'Nguyễn Văn An']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'head-ec', description: 'Agency head, personal signer (ECDSA P-256)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Y tế tỉnh Demo'], ['T', 'Giám đốc'], ['UID', 'CCCD:001186023456'], ['CN', 'Trần Thị Bình']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'deputy', description: 'Deputy head signing by delegation (ECDSA P-256)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Giáo dục và Đào tạo tỉnh Demo'], ['T', 'Phó Giám đốc'], ['UID', 'CCCD:001090034567'], ['CN', 'Lê Văn Cường']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'expired-signer', description: 'Signer whose certificate expired a year ago (valid 3 to 1 years ago)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Tài chính tỉnh Demo'], ['CN', 'Phạm Văn Dũng (hết hạn)']],
    validity: [-3 * YEAR, -YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'revoked-signer', description: 'Signer revoked yesterday (keyCompromise), listed in intermediate-ca.crl.pem', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Tư pháp tỉnh Demo'], ['CN', 'Hoàng Thị Em (đã thu hồi)']],
    validity: [-30, YEAR], profile: { keyUsage: SIGNER_USAGE, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'keyenc-signer', description: 'Certificate with keyEncipherment only: not allowed to sign', key: 'RSA-2048', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Nội vụ tỉnh Demo'], ['CN', 'Đỗ Văn Giang (chỉ mã hóa)']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: ['keyEncipherment'], ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'national-root-ca', description: 'National root CA (separate trust anchor, NATIONAL_TRUST_ANCHORS)', key: 'RSA-3072',
    subject: [['C', 'VN'], ['O', 'Bộ Nội vụ (DEMO)'], ['CN', 'Demo National Root CA']],
    validity: [-10 * YEAR, 15 * YEAR], profile: { ca: {}, keyUsage: ['keyCertSign', 'cRLSign'] },
  },
  {
    id: 'national-signer', description: 'National CSDL CBCCVC signer (records, transfer requests)', key: 'RSA-2048', issuer: 'national-root-ca',
    subject: [['C', 'VN'], ['O', 'Bộ Nội vụ (DEMO)'], ['OU', 'Cơ sở dữ liệu quốc gia về CBCCVC'], ['CN', 'CSDL quốc gia CBCCVC (DEMO)']],
    validity: [-1, 2 * YEAR], profile: { keyUsage: SIGNER_USAGE, crlUrl: `${PKI_URL}/national-root-ca.crl` },
  },
  {
    id: 'tsa', description: 'Time-stamping authority (extendedKeyUsage timeStamping, critical)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'Demo Time-Stamping Authority']],
    validity: [-1, 5 * YEAR],
    profile: { keyUsage: SIGNER_USAGE, extendedKeyUsage: [OID_KP_TIME_STAMPING], extendedKeyUsageCritical: true, ...ISSUED_BY_INTERMEDIATE },
  },
  {
    id: 'ocsp-responder', description: 'Delegated OCSP responder of the intermediate CA (OCSPSigning, ocsp-nocheck)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'Demo OCSP Responder']],
    validity: [-1, YEAR], profile: { keyUsage: ['digitalSignature'], extendedKeyUsage: [OID_KP_OCSP_SIGNING], ocspNoCheck: true },
  },
  {
    id: 'tls-server', description: 'TLS server certificate for localhost / 127.0.0.1 / ::1', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [['C', 'VN'], ['O', 'Tỉnh Demo (DEMO)'], ['CN', 'localhost']],
    validity: [-1, 397], profile: { keyUsage: ['digitalSignature'], extendedKeyUsage: [OID_KP_SERVER_AUTH], subjectAltNames: ['localhost', '127.0.0.1', '::1'] },
  },
  {
    id: 'tls-client', description: 'TLS client certificate of the province (mutual TLS to the national platform)', key: 'EC-P256', issuer: 'intermediate-ca',
    subject: [...PROVINCE, ['O', 'Sở Nội vụ tỉnh Demo'], ['CN', 'H55']],
    validity: [-1, 397], profile: { keyUsage: ['digitalSignature'], extendedKeyUsage: [OID_KP_CLIENT_AUTH] },
  },
];

export interface DemoPkiFile {
  readonly file: string;
  readonly description: string;
  readonly subject?: string;
  readonly serialNumber?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
}

export interface DemoPkiManifest {
  readonly generatedAt: string;
  readonly p12Password: string;
  readonly files: Record<string, DemoPkiFile>;
}

const DAY_MS = 86_400_000;

/** Writes the demo PKI into `outDir` and returns what it wrote (also saved as manifest.json). */
export async function makeDemoPki(outDir: string, options: { clock?: Clock } = {}): Promise<DemoPkiManifest> {
  const now = (options.clock ?? systemClock).now();
  // Whole seconds: certificates and CRLs carry no milliseconds, and the manifest must say what they say.
  const at = (days: number) => new Date(Math.floor((now.getTime() + days * DAY_MS) / 1000) * 1000);
  await mkdir(outDir, { recursive: true });
  const files: Record<string, DemoPkiFile> = {};
  const write = async (file: string, content: string | Uint8Array, description: string, cert?: Certificate) => {
    await writeFile(join(outDir, file), content, typeof content === 'string' ? { encoding: 'utf8', mode: 0o644 } : { mode: 0o600 });
    files[file] = {
      file, description,
      ...(cert ? { subject: subjectOf(cert), serialNumber: serialNumberHex(cert), notBefore: cert.notBefore.value.toISOString(), notAfter: cert.notAfter.value.toISOString() } : {}),
    };
  };

  const keys = new Map<DemoEntity, { key: SigningKey; pkcs8Pem: string }>();
  await Promise.all(ENTITIES.map(async (spec) => keys.set(spec.id, await generateSigningKey(spec.key))));
  const certs = new Map<DemoEntity, Certificate>();
  for (const spec of ENTITIES) {
    const own = keys.get(spec.id)!;
    const issuer = spec.issuer ? { key: keys.get(spec.issuer)!.key, certificate: certs.get(spec.issuer)! } : { key: own.key };
    const cert = await issueCertificate({
      ...spec.profile, subject: spec.subject, publicKeyDer: own.key.publicKeyDer, notBefore: at(spec.validity[0]), notAfter: at(spec.validity[1]),
    }, issuer);
    certs.set(spec.id, cert);
    await write(`${spec.id}.pem`, toPem('CERTIFICATE', certificateDer(cert)), spec.description, cert);
    await write(`${spec.id}.key.pem`, own.pkcs8Pem, `Private key (PKCS#8) of ${spec.id}.pem`);
  }

  const revoked: RevocationEntry[] = [{ serialNumber: serialNumberHex(certs.get('revoked-signer')!), revokedAt: at(-1), reason: 1 }];
  const crlFor = async (ca: DemoCrl, entries: RevocationEntry[], description: string) => {
    const crl = await createCrl({
      issuer: certs.get(ca)!, issuerKey: keys.get(ca)!.key, revoked: entries, thisUpdate: at(-1 / 24), nextUpdate: at(30), crlNumber: 1,
    });
    await write(`${ca}.crl.pem`, toPem('X509 CRL', crlDer(crl)), description);
    return crl;
  };
  const crls = [
    await crlFor('intermediate-ca', revoked, 'CRL of the intermediate CA (lists revoked-signer); next update in 30 days'),
    await crlFor('root-ca', [], 'CRL of the root CA (empty); next update in 30 days'),
  ];
  await crlFor('national-root-ca', [], 'CRL of the national root CA (empty)');

  const pem = (ids: DemoEntity[]) => ids.map((id) => toPem('CERTIFICATE', certificateDer(certs.get(id)!))).join('');
  await write('trust-anchors.pem', pem(['root-ca']), 'Trust anchors of the province (TRUST_ANCHORS)');
  await write('national-trust-anchors.pem', pem(['national-root-ca']), 'Trust anchor of the national side (NATIONAL_TRUST_ANCHORS)');
  await write('intermediates.pem', pem(['intermediate-ca']), 'Intermediate certificates');
  await write('crls.pem', crls.map((crl) => toPem('X509 CRL', crlDer(crl))).join(''), 'Both provincial CRLs in one bundle');
  await write('org-signer.chain.pem', pem(['org-signer', 'intermediate-ca']), 'org-signer certificate followed by its intermediate');

  const orgKey = keys.get('org-signer')!.pkcs8Pem;
  const p12 = writePkcs12({
    privateKeyPkcs8: new Uint8Array(Buffer.from(orgKey.replace(/-----[^-]+-----|\s/g, ''), 'base64')),
    certificates: (['org-signer', 'intermediate-ca', 'root-ca'] as const).map((id) => certificateDer(certs.get(id)!)),
    password: DEMO_P12_PASSWORD,
    friendlyName: 'So Noi vu tinh Demo (DEMO)',
  });
  await write('org-signer.p12', p12, `PKCS#12 of org-signer with its chain, password "${DEMO_P12_PASSWORD}"`);

  const manifest: DemoPkiManifest = { generatedAt: now.toISOString(), p12Password: DEMO_P12_PASSWORD, files };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
