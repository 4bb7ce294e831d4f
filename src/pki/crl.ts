// Certificate revocation lists (RFC 5280 §5): loading, issuing (demo CA, tests) and reading one
// certificate's status at a given time. A CRL counts only if its issuer's key signed it; an
// unsigned, forged, partial (delta, indirect, reason-scoped) or stale CRL is no evidence at all.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { parseSignatureAlgorithm, verifyBytes } from './algorithms.ts';
import {
  basicConstraintsOf, integerHex, keyUsageOf, sameName, serialNumberBytes, serialNumberHex, subjectKeyIdentifierOf,
  type Certificate,
} from './certificates.ts';
import {
  bytesEqual, CRL_LIMITS, decodePki, derElement, DER_SEQUENCE, encodeDer, toArrayBuffer, toHex,
} from './der.ts';
import {
  OID_EXT_AUTHORITY_KEY_ID, OID_EXT_CERTIFICATE_ISSUER, OID_EXT_CRL_NUMBER, OID_EXT_CRL_REASON, OID_EXT_ISSUING_DISTRIBUTION_POINT,
} from './oids.ts';
import { asText, isPemText, pemBlocks } from './pem.ts';
import type { SigningKey } from './keys.ts';
import { signTbs, type TbsSigned } from './issue-certificate.ts';

export type Crl = pkijs.CertificateRevocationList;

/** CRLReason (RFC 5280 §5.3.1). */
export type CrlReason = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 9 | 10;
const REMOVE_FROM_CRL = 8;

export function parseCrl(der: Uint8Array, code: ErrorCode = 'KEY_LOAD_FAILED'): Crl {
  const crl = decodePki(der, (schema) => new pkijs.CertificateRevocationList({ schema }), code, 'crl', CRL_LIMITS);
  crlDerCache.set(crl, der.slice());
  return crl;
}

/** Every CRL of a PEM bundle ("X509 CRL" blocks), or one DER CRL. */
export function parseCrls(input: Uint8Array | string, code: ErrorCode = 'KEY_LOAD_FAILED'): Crl[] {
  if (!isPemText(input)) {
    if (typeof input === 'string') throw new GatewayError(code, { reason: 'not-pem', what: 'crl' });
    return [parseCrl(input, code)];
  }
  return pemBlocks(asText(input)).filter((block) => block.label === 'X509 CRL').map((block) => parseCrl(block.der, code));
}

const crlDerCache = new WeakMap<Crl, Uint8Array>();

/** DER of a CRL: the bytes it was loaded from (re-encoding a large CRL is slow), else encoded once. */
export function crlDer(crl: Crl): Uint8Array {
  const known = crlDerCache.get(crl);
  if (known) return known;
  const der = encodeDer(crl);
  crlDerCache.set(crl, der);
  return der;
}

export interface RevocationEntry {
  /** Serial number in hex (as `serialNumberHex` prints it). */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  readonly reason?: CrlReason;
}

export interface CrlContents {
  readonly issuer: Certificate;
  readonly issuerKey: SigningKey;
  readonly revoked: readonly RevocationEntry[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: number;
}

/** Issues a v2 CRL signed by `issuerKey` (sha256WithRSAEncryption or ecdsa-with-SHA256). */
export async function createCrl(contents: CrlContents): Promise<Crl> {
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    issuer: contents.issuer.subject,
    thisUpdate: new pkijs.Time({ type: 0, value: contents.thisUpdate }),
    nextUpdate: new pkijs.Time({ type: 0, value: contents.nextUpdate }),
  });
  if (contents.revoked.length > 0) {
    crl.revokedCertificates = contents.revoked.map((entry) => new pkijs.RevokedCertificate({
      userCertificate: new asn1js.Integer({ valueHex: serialNumberBytes(entry.serialNumber) }),
      revocationDate: new pkijs.Time({ type: 0, value: entry.revokedAt }),
      ...(entry.reason === undefined ? {} : {
        crlEntryExtensions: new pkijs.Extensions({
          extensions: [new pkijs.Extension({
            extnID: OID_EXT_CRL_REASON, critical: false,
            extnValue: new asn1js.Enumerated({ value: entry.reason }).toBER(false),
          })],
        }),
      }),
    }));
  }
  const extensions = [new pkijs.Extension({
    extnID: OID_EXT_CRL_NUMBER, critical: false, extnValue: new asn1js.Integer({ value: contents.crlNumber }).toBER(false),
  })];
  const issuerKeyId = subjectKeyIdentifierOf(contents.issuer);
  if (issuerKeyId) {
    const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(issuerKeyId) }) });
    extensions.push(new pkijs.Extension({ extnID: OID_EXT_AUTHORITY_KEY_ID, critical: false, extnValue: aki.toSchema().toBER(false) }));
  }
  crl.crlExtensions = new pkijs.Extensions({ extensions });
  // encodeTBS is public at run time; PKI.js only types it as protected.
  await signTbs(crl as unknown as TbsSigned & { encodeTBS(): asn1js.Sequence }, contents.issuerKey);
  // Written directly: PKI.js's toSchema() re-parses the TBS with asn1js's default limit of 10 000
  // elements, which a CRL of a couple of thousand entries already exceeds.
  crlDerCache.set(crl, derElement(DER_SEQUENCE, crl.tbsView, encodeDer(crl.signatureAlgorithm), encodeDer(crl.signatureValue)));
  return crl;
}

export interface CrlFinding {
  readonly status: 'good' | 'revoked';
  readonly crl: Crl;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revokedAt?: Date;
  readonly reason?: number;
}

/**
 * The status of `cert` at `time` according to the CRLs that `issuer` signed. Listed on any authentic
 * CRL → revoked (with its date; the caller compares it with the signing time). Not listed on an
 * authentic CRL that covers `time` (nextUpdate at or after it) → good. Otherwise undefined.
 */
export async function findCrlStatus(cert: Certificate, issuer: Certificate, crls: readonly Crl[], time: Date): Promise<CrlFinding | undefined> {
  let good: CrlFinding | undefined;
  for (const crl of crls) {
    if (!sameName(crl.issuer, cert.issuer) || !isCompleteFor(crl, cert) || !(await isIssuedBy(crl, issuer))) continue;
    const entry = entriesOf(crl).get(serialNumberHex(cert));
    const base = { crl, thisUpdate: crl.thisUpdate.value, ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value } : {}) };
    if (entry && entry.reason !== REMOVE_FROM_CRL) {
      return { ...base, status: 'revoked', revokedAt: entry.revokedAt, ...(entry.reason === undefined ? {} : { reason: entry.reason }) };
    }
    if (coversTime(crl.thisUpdate.value, crl.nextUpdate?.value, time) && (!good || good.thisUpdate < base.thisUpdate)) {
      good = { ...base, status: 'good' };
    }
  }
  return good;
}

/** Revocation data speaks for `time` if it was still current then, or was issued after it. */
export function coversTime(thisUpdate: Date, nextUpdate: Date | undefined, time: Date): boolean {
  return thisUpdate.getTime() >= time.getTime() || (nextUpdate !== undefined && nextUpdate.getTime() >= time.getTime());
}

/** A full CRL for this kind of certificate: no delta, no indirect or reason-scoped partition. */
function isCompleteFor(crl: Crl, cert: Certificate): boolean {
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.extnID === OID_EXT_ISSUING_DISTRIBUTION_POINT) {
      let idp: pkijs.IssuingDistributionPoint;
      try {
        idp = new pkijs.IssuingDistributionPoint({ schema: asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result });
      } catch {
        return false;
      }
      const isCa = basicConstraintsOf(cert)?.ca === true;
      if (idp.indirectCRL || idp.onlySomeReasons !== undefined || idp.onlyContainsAttributeCerts) return false;
      if ((idp.onlyContainsUserCerts && isCa) || (idp.onlyContainsCACerts && !isCa)) return false;
    } else if (ext.critical && ext.extnID !== OID_EXT_CRL_NUMBER) {
      return false; // delta CRL indicator, or anything else we do not understand
    }
  }
  return true;
}

const verifiedBy = new WeakMap<Crl, Map<string, boolean>>();

async function isIssuedBy(crl: Crl, issuer: Certificate): Promise<boolean> {
  const issuerKey = toHex(encodeDer(issuer.subjectPublicKeyInfo));
  const memo = verifiedBy.get(crl) ?? new Map<string, boolean>();
  verifiedBy.set(crl, memo);
  const known = memo.get(issuerKey);
  if (known !== undefined) return known;
  const usage = keyUsageOf(issuer);
  const algorithm = parseSignatureAlgorithm(crl.signatureAlgorithm);
  const ok = (!usage || usage.has('cRLSign'))
    && algorithm !== undefined
    && bytesEqual(encodeDer(crl.signature), encodeDer(crl.signatureAlgorithm))
    && await verifyBytes(issuer.subjectPublicKeyInfo, algorithm, crl.tbsView, crl.signatureValue.valueBlock.valueHexView);
  memo.set(issuerKey, ok);
  return ok;
}

interface Entry {
  readonly revokedAt: Date;
  readonly reason?: number;
}

const entryIndex = new WeakMap<Crl, Map<string, Entry>>();

/** Serial → entry, built once per CRL object (CRLs are loaded at startup and may be large). */
function entriesOf(crl: Crl): Map<string, Entry> {
  const cached = entryIndex.get(crl);
  if (cached) return cached;
  const index = new Map<string, Entry>();
  for (const revoked of crl.revokedCertificates ?? []) {
    const extensions = revoked.crlEntryExtensions?.extensions ?? [];
    // An entry for another CA's certificate (indirect CRL) is not ours to read.
    if (extensions.some((ext) => ext.extnID === OID_EXT_CERTIFICATE_ISSUER)) continue;
    const reasonExt = extensions.find((ext) => ext.extnID === OID_EXT_CRL_REASON);
    const reasonValue = reasonExt ? asn1js.fromBER(reasonExt.extnValue.valueBlock.valueHexView).result : undefined;
    const reason = reasonValue instanceof asn1js.Enumerated ? reasonValue.valueBlock.valueDec : undefined;
    index.set(integerHex(revoked.userCertificate), { revokedAt: revoked.revocationDate.value, ...(reason === undefined ? {} : { reason }) });
  }
  entryIndex.set(crl, index);
  return index;
}
