// Certification path building and validation (RFC 5280 §6, the parts a document signature needs),
// at a given time: the signing time, never "now" by default. PKI.js's SignedData.verify does not
// check the chain unless asked, and its chain engine validates at the current date; this module
// is our own so that each failure has its code and the time is always explicit.
import { GatewayError } from '../errors.ts';
import { parseSignatureAlgorithm, verifyBytes } from './algorithms.ts';
import {
  authorityKeyIdentifierOf, basicConstraintsOf, isSelfIssued, isValidAt, keyUsageOf, notAfter, notBefore, sameCertificate,
  sameName, subjectKeyIdentifierOf, subjectOf, type Certificate,
} from './certificates.ts';
import { bytesEqual, encodeDer } from './der.ts';
import {
  OID_EXT_AUTHORITY_INFO_ACCESS, OID_EXT_AUTHORITY_KEY_ID, OID_EXT_BASIC_CONSTRAINTS, OID_EXT_CERTIFICATE_POLICIES,
  OID_EXT_CRL_DISTRIBUTION_POINTS, OID_EXT_EXT_KEY_USAGE, OID_EXT_INHIBIT_ANY_POLICY, OID_EXT_ISSUER_ALT_NAME,
  OID_EXT_KEY_USAGE, OID_EXT_POLICY_CONSTRAINTS, OID_EXT_SUBJECT_ALT_NAME, OID_EXT_SUBJECT_KEY_ID, OID_OCSP_NOCHECK,
} from './oids.ts';

export interface PathOptions {
  /** Certificates trusted as such (usually self-signed roots). */
  readonly trustAnchors: readonly Certificate[];
  /** Untrusted certificates that may serve as intermediates (embedded in the CMS, or configured). */
  readonly intermediates?: readonly Certificate[];
  /** Every certificate of the path must be valid at this instant. */
  readonly time: Date;
}

/** Longest path we try to build: anchor + 6 intermediates + leaf. */
const MAX_PATH_LENGTH = 8;

/** Extensions we process or may safely ignore when marked critical. Anything else critical is refused. */
const UNDERSTOOD_EXTENSIONS = new Set([
  OID_EXT_KEY_USAGE, OID_EXT_BASIC_CONSTRAINTS, OID_EXT_EXT_KEY_USAGE, OID_EXT_SUBJECT_ALT_NAME, OID_EXT_ISSUER_ALT_NAME,
  OID_EXT_SUBJECT_KEY_ID, OID_EXT_AUTHORITY_KEY_ID, OID_EXT_CERTIFICATE_POLICIES, OID_EXT_CRL_DISTRIBUTION_POINTS,
  OID_EXT_AUTHORITY_INFO_ACCESS, OID_EXT_POLICY_CONSTRAINTS, OID_EXT_INHIBIT_ANY_POLICY, OID_OCSP_NOCHECK,
]);

/**
 * Returns the path from `leaf` to a trust anchor: [leaf, …intermediates, anchor].
 * No path → CERT_UNTRUSTED; a CA certificate without the CA flag, keyCertSign or within its path
 * length, or an unknown critical extension → CERT_UNTRUSTED; a certificate of the path not valid
 * at `time` → CERT_EXPIRED.
 */
export async function validateCertificatePath(leaf: Certificate, options: PathOptions): Promise<Certificate[]> {
  const path = await buildPath(leaf, options.intermediates ?? [], options.trustAnchors, []);
  if (!path) throw new GatewayError('CERT_UNTRUSTED', { reason: 'no-path-to-trust-anchor', subject: subjectOf(leaf) });
  checkConstraints(path);
  for (const cert of path) {
    if (!isValidAt(cert, options.time)) {
      throw new GatewayError('CERT_EXPIRED', {
        subject: subjectOf(cert), notBefore: notBefore(cert).toISOString(), notAfter: notAfter(cert).toISOString(),
        at: options.time.toISOString(),
      });
    }
  }
  return path;
}

async function buildPath(
  cert: Certificate, pool: readonly Certificate[], anchors: readonly Certificate[], below: Certificate[],
): Promise<Certificate[] | undefined> {
  if (anchors.some((anchor) => sameCertificate(anchor, cert))) return [...below, cert];
  if (below.length + 1 >= MAX_PATH_LENGTH) return undefined;
  const seen = [...below, cert];
  const candidates = [...anchors, ...pool].filter((candidate) =>
    sameName(candidate.subject, cert.issuer)
    && keyIdentifiersAgree(cert, candidate)
    && !seen.some((known) => sameCertificate(known, candidate)));
  for (const issuer of candidates) {
    if (!(await isSignedBy(cert, issuer))) continue;
    const found = await buildPath(issuer, pool, anchors, seen);
    if (found) return found;
  }
  return undefined;
}

/** Where both are present, the child's authorityKeyIdentifier must equal the issuer's subjectKeyIdentifier. */
function keyIdentifiersAgree(child: Certificate, issuer: Certificate): boolean {
  const aki = authorityKeyIdentifierOf(child);
  const ski = subjectKeyIdentifierOf(issuer);
  return aki === undefined || ski === undefined || bytesEqual(aki, ski);
}

/** True when `issuer`'s key signed `cert` (both algorithm fields agree and the algorithm is accepted). */
export async function isSignedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  if (!bytesEqual(encodeDer(cert.signature), encodeDer(cert.signatureAlgorithm))) return false;
  const algorithm = parseSignatureAlgorithm(cert.signatureAlgorithm);
  if (!algorithm) return false;
  return verifyBytes(issuer.subjectPublicKeyInfo, algorithm, cert.tbsView, cert.signatureValue.valueBlock.valueHexView);
}

function checkConstraints(path: Certificate[]): void {
  path.forEach((cert, index) => {
    const isAnchor = index === path.length - 1;
    const unknown = cert.extensions?.find((ext) => ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.extnID));
    if (unknown && !isAnchor) {
      throw new GatewayError('CERT_UNTRUSTED', { reason: 'unknown-critical-extension', subject: subjectOf(cert), oid: unknown.extnID });
    }
    if (index === 0) return;
    const bc = basicConstraintsOf(cert);
    const usage = keyUsageOf(cert);
    // A trust anchor without extensions (an old v1 root) is trusted as configured.
    const caFlagMissing = isAnchor ? bc !== undefined && !bc.ca : !bc?.ca;
    if (caFlagMissing || (usage && !usage.has('keyCertSign'))) {
      throw new GatewayError('CERT_UNTRUSTED', { reason: 'issuer-not-a-ca', subject: subjectOf(cert) });
    }
    // pathLenConstraint counts the non-self-issued intermediates below this CA (the leaf excluded).
    const intermediatesBelow = path.slice(1, index).filter((below) => !isSelfIssued(below)).length;
    if (bc?.pathLength !== undefined && intermediatesBelow > bc.pathLength) {
      throw new GatewayError('CERT_UNTRUSTED', { reason: 'path-length-exceeded', subject: subjectOf(cert) });
    }
  });
}
