// Issuing X.509 v3 certificates with any validity dates: the demo PKI (certs.example/make-pki.ts) and
// tests use it to build CAs, signers, expired/not-yet-valid signers, TSA, OCSP and TLS certificates.
// Not used on the production path: production certificates come from a licensed CA.
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestBytes, signatureAlgorithmIdentifier } from './algorithms.ts';
import {
  KEY_USAGE_BITS, randomSerialHex, serialNumberBytes, subjectKeyIdentifierOf, type Certificate, type KeyUsageName,
} from './certificates.ts';
import { decodeDer, encodeDer, toArrayBuffer } from './der.ts';
import { caSignatureAlgorithm, signWithKey, type SigningKey } from './keys.ts';
import {
  OID_AD_OCSP, OID_AT_COMMON_NAME, OID_AT_COUNTRY, OID_AT_EMAIL, OID_AT_LOCALITY, OID_AT_ORGANIZATION,
  OID_AT_ORGANIZATIONAL_UNIT, OID_AT_SERIAL_NUMBER, OID_AT_STATE, OID_AT_TITLE, OID_AT_UID, OID_EXT_AUTHORITY_INFO_ACCESS,
  OID_EXT_AUTHORITY_KEY_ID, OID_EXT_BASIC_CONSTRAINTS, OID_EXT_CRL_DISTRIBUTION_POINTS, OID_EXT_EXT_KEY_USAGE,
  OID_EXT_KEY_USAGE, OID_EXT_SUBJECT_ALT_NAME, OID_EXT_SUBJECT_KEY_ID, OID_OCSP_NOCHECK,
} from './oids.ts';

export type NameAttribute = 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'T' | 'UID' | 'SERIALNUMBER' | 'E';
/** Relative distinguished names in encoding order: most general first (C, ST, O … CN). */
export type NameSpec = ReadonlyArray<readonly [NameAttribute, string]>;

const NAME_OIDS: Record<NameAttribute, string> = {
  C: OID_AT_COUNTRY, ST: OID_AT_STATE, L: OID_AT_LOCALITY, O: OID_AT_ORGANIZATION, OU: OID_AT_ORGANIZATIONAL_UNIT,
  CN: OID_AT_COMMON_NAME, T: OID_AT_TITLE, UID: OID_AT_UID, SERIALNUMBER: OID_AT_SERIAL_NUMBER, E: OID_AT_EMAIL,
};

export interface CertificateProfile {
  readonly subject: NameSpec;
  /** SubjectPublicKeyInfo DER of the subject's key. */
  readonly publicKeyDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex; default 16 random bytes. */
  readonly serialNumber?: string;
  /** Makes a CA certificate (basicConstraints cA, critical). */
  readonly ca?: { readonly pathLength?: number };
  readonly keyUsage: readonly KeyUsageName[];
  readonly extendedKeyUsage?: readonly string[];
  readonly extendedKeyUsageCritical?: boolean;
  /** DNS names and IP addresses. */
  readonly subjectAltNames?: readonly string[];
  readonly crlUrl?: string;
  readonly ocspUrl?: string;
  /** id-pkix-ocsp-nocheck, for delegated OCSP responders. */
  readonly ocspNoCheck?: boolean;
}

export interface Issuer {
  readonly key: SigningKey;
  /** Omitted for a self-signed certificate. */
  readonly certificate?: Certificate;
}

/** Issues a certificate signed with sha256WithRSAEncryption or ecdsa-with-SHA256. */
export async function issueCertificate(profile: CertificateProfile, issuer: Issuer): Promise<Certificate> {
  const subject = buildName(profile.subject);
  const spki = new pkijs.PublicKeyInfo({ schema: decodeDer(profile.publicKeyDer, 'KEY_LOAD_FAILED', 'public-key') });
  const keyId = digestBytes('SHA-256', spki.subjectPublicKey.valueBlock.valueHexView).slice(0, 20); // RFC 7093 method 1
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: serialNumberBytes(profile.serialNumber ?? randomSerialHex()) }),
    issuer: issuer.certificate?.subject ?? subject,
    subject,
    notBefore: new pkijs.Time({ type: timeType(profile.notBefore), value: profile.notBefore }),
    notAfter: new pkijs.Time({ type: timeType(profile.notAfter), value: profile.notAfter }),
    subjectPublicKeyInfo: spki,
  });
  const authorityKeyId = issuer.certificate ? subjectKeyIdentifierOf(issuer.certificate) : keyId;
  cert.extensions = buildExtensions(profile, keyId, authorityKeyId);
  await signTbs(cert, issuer.key);
  return cert;
}

function buildExtensions(profile: CertificateProfile, keyId: Uint8Array, authorityKeyId: Uint8Array | undefined): pkijs.Extension[] {
  const ext = (extnID: string, critical: boolean, value: asn1js.AsnType | { toSchema(): asn1js.AsnType }) =>
    new pkijs.Extension({ extnID, critical, extnValue: ('toSchema' in value ? value.toSchema() : value).toBER(false) });
  const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: toArrayBuffer(bytes) });
  const extensions = [
    ext(OID_EXT_BASIC_CONSTRAINTS, profile.ca !== undefined, new pkijs.BasicConstraints({
      cA: profile.ca !== undefined,
      ...(profile.ca?.pathLength === undefined ? {} : { pathLenConstraint: profile.ca.pathLength }),
    })),
    ext(OID_EXT_KEY_USAGE, true, keyUsageBits(profile.keyUsage)),
    ext(OID_EXT_SUBJECT_KEY_ID, false, octets(keyId)),
  ];
  if (authorityKeyId) {
    extensions.push(ext(OID_EXT_AUTHORITY_KEY_ID, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: octets(authorityKeyId) })));
  }
  if (profile.extendedKeyUsage) {
    extensions.push(ext(OID_EXT_EXT_KEY_USAGE, profile.extendedKeyUsageCritical ?? false,
      new pkijs.ExtKeyUsage({ keyPurposes: [...profile.extendedKeyUsage] })));
  }
  if (profile.subjectAltNames?.length) {
    extensions.push(ext(OID_EXT_SUBJECT_ALT_NAME, false, new pkijs.AltName({ altNames: profile.subjectAltNames.map(generalName) })));
  }
  if (profile.crlUrl) {
    extensions.push(ext(OID_EXT_CRL_DISTRIBUTION_POINTS, false, new pkijs.CRLDistributionPoints({
      distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: profile.crlUrl })] })],
    })));
  }
  if (profile.ocspUrl) {
    extensions.push(ext(OID_EXT_AUTHORITY_INFO_ACCESS, false, new pkijs.InfoAccess({
      accessDescriptions: [new pkijs.AccessDescription({ accessMethod: OID_AD_OCSP, accessLocation: new pkijs.GeneralName({ type: 6, value: profile.ocspUrl }) })],
    })));
  }
  if (profile.ocspNoCheck) extensions.push(ext(OID_OCSP_NOCHECK, false, new asn1js.Null()));
  return extensions;
}

/** One RDN per attribute (PKI.js would put them all in a single multi-valued RDN). */
/** What certificates and CRLs have in common for signing: the TBS part and two algorithm fields. */
export interface TbsSigned {
  signature: pkijs.AlgorithmIdentifier;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  tbsView: Uint8Array;
  signatureValue: asn1js.BitString;
}

/**
 * Signs a certificate or CRL as a CA does (PKI.js's own sign() leaves out the NULL parameters that
 * RFC 4055 requires for sha256WithRSAEncryption).
 */
export async function signTbs(target: TbsSigned & { encodeTBS(): asn1js.Sequence }, key: SigningKey): Promise<void> {
  const algorithm = caSignatureAlgorithm(key);
  target.signature = signatureAlgorithmIdentifier(algorithm);
  target.signatureAlgorithm = signatureAlgorithmIdentifier(algorithm);
  target.tbsView = new Uint8Array(target.encodeTBS().toBER(false));
  target.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(await signWithKey(key, algorithm, target.tbsView)) });
}

export function buildName(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  const rdns = spec.map(([attribute, value]) => new asn1js.Set({
    value: [new pkijs.AttributeTypeAndValue({
      type: NAME_OIDS[attribute],
      value: attribute === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
    }).toSchema()],
  }));
  const der = encodeDer(new asn1js.Sequence({ value: rdns }));
  return new pkijs.RelativeDistinguishedNames({ schema: decodeDer(der, 'INTERNAL_ERROR', 'name') });
}

function keyUsageBits(usages: readonly KeyUsageName[]): asn1js.BitString {
  const indexes = usages.map((usage) => KEY_USAGE_BITS.indexOf(usage));
  const highest = Math.max(...indexes);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const index of indexes) bytes[index >> 3] = (bytes[index >> 3] ?? 0) | (0x80 >> (index & 7));
  return new asn1js.BitString({ unusedBits: bytes.length * 8 - (highest + 1), valueHex: bytes.buffer });
}

function generalName(name: string): pkijs.GeneralName {
  if (!isIP(name)) return new pkijs.GeneralName({ type: 2, value: name });
  const bytes = isIP(name) === 4 ? Uint8Array.from(name.split('.').map(Number)) : ipv6Bytes(name);
  return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: bytes.buffer }) });
}

function ipv6Bytes(address: string): Uint8Array {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  return Uint8Array.from(all.flatMap((group) => { const value = parseInt(group, 16); return [value >> 8, value & 0xff]; }));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function timeType(date: Date): 0 | 1 {
  return date.getUTCFullYear() < 2050 ? 0 : 1;
}
