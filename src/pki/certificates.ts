// X.509 certificates: loading PEM/DER bundles, and the facts the rest of the gateway reads from a
// certificate (readable subject, serial in hex, validity, key usage…). Metrics use `daysToExpiry`.
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { describeKeyInfo, digestBytes, type PublicKeyDescription } from './algorithms.ts';
import { bytesEqual, decodePki, encodeDer, toHex } from './der.ts';
import {
  OID_AT_COMMON_NAME, OID_AT_COUNTRY, OID_AT_EMAIL, OID_AT_LOCALITY, OID_AT_ORGANIZATION, OID_AT_ORGANIZATIONAL_UNIT,
  OID_AT_SERIAL_NUMBER, OID_AT_STATE, OID_AT_TITLE, OID_AT_UID, OID_EXT_AUTHORITY_KEY_ID, OID_EXT_BASIC_CONSTRAINTS,
  OID_EXT_EXT_KEY_USAGE, OID_EXT_KEY_USAGE, OID_EXT_SUBJECT_KEY_ID,
} from './oids.ts';
import { asText, isPemText, pemBlocks } from './pem.ts';

export type Certificate = pkijs.Certificate;

export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement'
  | 'keyCertSign' | 'cRLSign' | 'encipherOnly' | 'decipherOnly';

/** Bit order of the KeyUsage BIT STRING (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

const NAME_LABELS: Record<string, string> = {
  [OID_AT_COMMON_NAME]: 'CN', [OID_AT_ORGANIZATION]: 'O', [OID_AT_ORGANIZATIONAL_UNIT]: 'OU', [OID_AT_LOCALITY]: 'L',
  [OID_AT_STATE]: 'ST', [OID_AT_COUNTRY]: 'C', [OID_AT_TITLE]: 'T', [OID_AT_UID]: 'UID',
  [OID_AT_SERIAL_NUMBER]: 'SERIALNUMBER', [OID_AT_EMAIL]: 'E',
};

const MS_PER_DAY = 86_400_000;

/** One DER certificate. Malformed input throws `code` (KEY_LOAD_FAILED for configured files). */
export function parseCertificate(der: Uint8Array, code: ErrorCode = 'KEY_LOAD_FAILED'): Certificate {
  const cert = decodePki(der, (schema) => new pkijs.Certificate({ schema }), code, 'certificate');
  rememberCertificateDer(cert, der);
  return cert;
}

/** Every certificate of a PEM bundle (other PEM blocks are skipped), or one DER certificate. */
export function parseCertificates(input: Uint8Array | string, code: ErrorCode = 'KEY_LOAD_FAILED'): Certificate[] {
  if (!isPemText(input)) {
    if (typeof input === 'string') throw new GatewayError(code, { reason: 'not-pem', what: 'certificate' });
    return [parseCertificate(input, code)];
  }
  const certs = pemBlocks(asText(input))
    .filter((block) => block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE')
    .map((block) => parseCertificate(block.der, code));
  if (certs.length === 0) throw new GatewayError(code, { reason: 'no-certificate', what: 'certificate' });
  return certs;
}

const derCache = new WeakMap<Certificate, { readonly tbs: Uint8Array; readonly der: Uint8Array }>();

/**
 * DER of a certificate. Re-encoding a PKI.js certificate parses and serialises it again, and path
 * building compares certificates many times per signature, so the encoding is kept per object
 * for as long as its signed part (tbsView, replaced on signing) is the same.
 */
/** Records the bytes a certificate was parsed from, so that certificateDer need not re-encode it. */
export function rememberCertificateDer(cert: Certificate, der: Uint8Array): void {
  derCache.set(cert, { tbs: cert.tbsView, der: der.slice() });
}

export function certificateDer(cert: Certificate): Uint8Array {
  const cached = derCache.get(cert);
  if (cached && cached.tbs === cert.tbsView) return cached.der;
  const der = encodeDer(cert);
  derCache.set(cert, { tbs: cert.tbsView, der });
  return der;
}

export function certificateSha256(cert: Certificate): Uint8Array {
  return digestBytes('SHA-256', certificateDer(cert));
}

export function sameCertificate(a: Certificate, b: Certificate): boolean {
  return bytesEqual(certificateDer(a), certificateDer(b));
}

/** DER of a Name, as received (PKI.js keeps the original bytes of parsed names). */
export function nameDer(name: pkijs.RelativeDistinguishedNames): Uint8Array {
  return name.valueBeforeDecode.byteLength > 0 ? new Uint8Array(name.valueBeforeDecode) : encodeDer(name);
}

export function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  return bytesEqual(nameDer(a), nameDer(b));
}

/** "CN=Nguyễn Văn An, T=Thủ trưởng, O=Sở Nội vụ, C=VN": most specific first, as people read it. */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return [...name.typesAndValues].reverse().map((atv) => {
    const label = NAME_LABELS[atv.type] ?? atv.type;
    const block = (atv.value as { valueBlock?: { value?: unknown } }).valueBlock;
    const value = typeof block?.value === 'string' ? block.value : '#' + toHex(encodeDer(atv.value as asn1js.AsnType));
    return `${label}=${value.replace(/([,+"\\<>;])/g, '\\$1')}`;
  }).join(', ');
}

export function subjectOf(cert: Certificate): string {
  return nameToString(cert.subject);
}

export function issuerOf(cert: Certificate): string {
  return nameToString(cert.issuer);
}

/** The value of one attribute of the subject (e.g. CN), if present. */
export function subjectAttribute(cert: Certificate, oid: string): string | undefined {
  const atv = cert.subject.typesAndValues.find((item) => item.type === oid);
  const value = (atv?.value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return typeof value === 'string' ? value : undefined;
}

/** Serial number in upper-case hex without the DER sign byte, as `openssl x509 -serial` prints it. */
export function serialNumberHex(cert: Certificate): string {
  return integerHex(cert.serialNumber);
}

export function integerHex(value: asn1js.Integer): string {
  let bytes = value.valueBlock.valueHexView;
  while (bytes.byteLength > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return toHex(bytes).toUpperCase();
}

/** A fresh serial number: 16 random bytes, positive, no leading zero byte (RFC 5280 §4.1.2.2, RFC 3161 §2.4.2). */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/** INTEGER content bytes for a hex serial number (a zero byte is prepended where the top bit is set). */
export function serialNumberBytes(hex: string): ArrayBuffer {
  const bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  const positive = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return new Uint8Array(positive).buffer;
}

export function notBefore(cert: Certificate): Date {
  return cert.notBefore.value;
}

export function notAfter(cert: Certificate): Date {
  return cert.notAfter.value;
}

export function isValidAt(cert: Certificate, time: Date): boolean {
  return time.getTime() >= notBefore(cert).getTime() && time.getTime() <= notAfter(cert).getTime();
}

/** Whole days left until notAfter (negative once expired); metrics alert on it. */
export function daysToExpiry(cert: Certificate, now: Date): number {
  return Math.floor((notAfter(cert).getTime() - now.getTime()) / MS_PER_DAY);
}

export function extensionOf(cert: Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((ext) => ext.extnID === oid);
}

function extensionValue(cert: Certificate, oid: string): asn1js.AsnType | undefined {
  const ext = extensionOf(cert, oid);
  if (!ext) return undefined;
  const decoded = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  return decoded.offset === -1 ? undefined : decoded.result;
}

/** Key usages, or undefined when the certificate has no KeyUsage extension (or an unreadable one). */
export function keyUsageOf(cert: Certificate): Set<KeyUsageName> | undefined {
  const value = extensionValue(cert, OID_EXT_KEY_USAGE);
  if (!(value instanceof asn1js.BitString)) return undefined;
  const bits = value.valueBlock.valueHexView;
  const usages = new Set<KeyUsageName>();
  KEY_USAGE_BITS.forEach((name, index) => {
    const byte = bits[index >> 3] ?? 0;
    if (byte & (0x80 >> (index & 7))) usages.add(name);
  });
  return usages;
}

/** Extended key usage OIDs, or undefined when absent. */
export function extendedKeyUsageOf(cert: Certificate): string[] | undefined {
  const value = extensionValue(cert, OID_EXT_EXT_KEY_USAGE);
  if (!value) return undefined;
  try {
    return new pkijs.ExtKeyUsage({ schema: value }).keyPurposes;
  } catch {
    return [];
  }
}

export interface BasicConstraintsInfo {
  readonly ca: boolean;
  readonly pathLength?: number;
}

export function basicConstraintsOf(cert: Certificate): BasicConstraintsInfo | undefined {
  const value = extensionValue(cert, OID_EXT_BASIC_CONSTRAINTS);
  if (!value) return undefined;
  try {
    const bc = new pkijs.BasicConstraints({ schema: value });
    const len = bc.pathLenConstraint;
    const pathLength = len === undefined ? undefined : typeof len === 'number' ? len : len.valueBlock.valueDec;
    return pathLength === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength };
  } catch {
    return { ca: false };
  }
}

export function subjectKeyIdentifierOf(cert: Certificate): Uint8Array | undefined {
  const value = extensionValue(cert, OID_EXT_SUBJECT_KEY_ID);
  return value instanceof asn1js.OctetString ? value.valueBlock.valueHexView : undefined;
}

export function authorityKeyIdentifierOf(cert: Certificate): Uint8Array | undefined {
  const value = extensionValue(cert, OID_EXT_AUTHORITY_KEY_ID);
  if (!value) return undefined;
  try {
    return new pkijs.AuthorityKeyIdentifier({ schema: value }).keyIdentifier?.valueBlock.valueHexView;
  } catch {
    return undefined;
  }
}

export function isSelfIssued(cert: Certificate): boolean {
  return sameName(cert.subject, cert.issuer);
}

export function publicKeyDer(cert: Certificate): Uint8Array {
  return encodeDer(cert.subjectPublicKeyInfo);
}

export function publicKeyOf(cert: Certificate): PublicKeyDescription | undefined {
  return describeKeyInfo(cert.subjectPublicKeyInfo);
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex SHA-256 of the DER certificate. */
  readonly sha256: string;
  readonly der: Uint8Array;
}

export function summarizeCertificate(cert: Certificate): CertificateSummary {
  const der = certificateDer(cert);
  return {
    subject: subjectOf(cert),
    issuer: issuerOf(cert),
    serialNumber: serialNumberHex(cert),
    notBefore: notBefore(cert),
    notAfter: notAfter(cert),
    sha256: toHex(digestBytes('SHA-256', der)),
    der,
  };
}
