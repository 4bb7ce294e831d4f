// Verification of a detached CMS signature (NATIONAL_API.md §3), each failure with its own code:
// structure → BAD_SIGNATURE; content digest → DIGEST_MISMATCH; signature value, signing-certificate
// binding, RSASSA-PSS parameters other than SHA-256/MGF1-SHA-256/salt 32 → BAD_SIGNATURE;
// time-stamp → TIMESTAMP_INVALID; path to a configured trust anchor →
// CERT_UNTRUSTED; validity at the signing time (the time-stamp's time when there is one, else
// signingTime; never "now") → CERT_EXPIRED; key usage → WRONG_KEY_USAGE; revocation at the signing
// time → CERT_REVOKED, or REVOCATION_UNKNOWN when required and not established.
import type * as asn1js from 'asn1js';
import { GatewayError, isGatewayError } from '../errors.ts';
import { digestBytes, documentPssProblem, DOCUMENT_PSS, type SignatureAlgorithm } from './algorithms.ts';
import { validateCertificatePath } from './cert-chain.ts';
import {
  certificateDer, keyUsageOf, serialNumberHex, subjectOf, summarizeCertificate, type Certificate, type CertificateSummary,
} from './certificates.ts';
import type { Crl } from './crl.ts';
import { bytesEqual, encodeDer } from './der.ts';
import type { OcspSource } from './ocsp.ts';
import { OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN, OID_DATA } from './oids.ts';
import { checkRevocation, type RevocationEvidence } from './revocation.ts';
import { readSignedAttributes, type SignedAttributeValues } from './signed-attributes.ts';
import { decodeSignedData, findSignerCertificate, signerDigestAlgorithm, verifySignerSignature, type DecodedSignedData } from './signed-data.ts';
import { essCertIdMatches } from './signing-certificate.ts';
import { verifyTimestampToken, type VerifiedTimestamp } from './timestamp-token.ts';
import { systemClock } from '../clock.ts';

export interface VerifyOptions {
  readonly trustAnchors: readonly Certificate[];
  /** Extra intermediates, besides those embedded in the signature. */
  readonly intermediates?: readonly Certificate[];
  readonly crls?: readonly Crl[];
  /** OCSP responder asked for certificates no CRL answers for. */
  readonly ocsp?: OcspSource;
  /** Stored OCSP answers (verifying an archived signature years later). */
  readonly ocspResponses?: readonly Uint8Array[];
  /** Missing revocation data → REVOCATION_UNKNOWN (otherwise reported as status "unknown"). */
  readonly requireRevocation?: boolean;
  /** A signature without a time-stamp → TIMESTAMP_INVALID. */
  readonly requireTimestamp?: boolean;
  /** Trust anchors for TSA certificates (default: trustAnchors). */
  readonly tsaTrustAnchors?: readonly Certificate[];
  /** The verifier's clock (default: now); only used to refuse times in the future. */
  readonly now?: Date;
  /** Allowed clock difference between signer, TSA and verifier (default 5 minutes). */
  readonly clockSkewMs?: number;
}

export interface VerifyResult {
  readonly subject: string;
  readonly serialNumber: string;
  /** The signer's certificate, DER. */
  readonly certificate: Uint8Array;
  /** The signingTime attribute (claimed by the signer). */
  readonly signingTime: Date;
  /** genTime of the signature time-stamp, when there is one. */
  readonly timestampTime?: Date;
  /** The time validity and revocation were judged at. */
  readonly validationTime: Date;
  readonly algorithm: SignatureAlgorithm;
  /** [signer, …intermediates, trust anchor]. */
  readonly chain: CertificateSummary[];
  readonly revocation: RevocationEvidence[];
  readonly timestamp?: VerifiedTimestamp;
}

const DEFAULT_SKEW_MS = 5 * 60_000;

/**
 * Every failure is a GatewayError with a stable reason: an exception of asn1js/PKI.js or WebCrypto that
 * escaped the adapters (a structure they accepted but cannot process) becomes BAD_SIGNATURE
 * {reason: 'unprocessable'}; its text goes to the log through `cause`, never into an answer.
 */
export async function verifyDetached(data: Uint8Array, cmsDer: Uint8Array, options: VerifyOptions): Promise<VerifyResult> {
  try {
    return await verifyDetachedChecked(data, cmsDer, options);
  } catch (err) {
    if (isGatewayError(err)) throw err;
    throw new GatewayError('BAD_SIGNATURE', { reason: 'unprocessable' }, { cause: err });
  }
}

async function verifyDetachedChecked(data: Uint8Array, cmsDer: Uint8Array, options: VerifyOptions): Promise<VerifyResult> {
  const now = options.now ?? systemClock.now();
  const skew = options.clockSkewMs ?? DEFAULT_SKEW_MS;
  const cms = decodeSignedData(cmsDer, 'BAD_SIGNATURE');
  const attributes = requireCadesAttributes(cms);
  const digest = signerDigestAlgorithm(cms.signerInfo, 'BAD_SIGNATURE');
  if (!bytesEqual(digestBytes(digest, data), attributes.messageDigest)) throw new GatewayError('DIGEST_MISMATCH');

  const signer = findSignerCertificate(cms.signerInfo, cms.certificates);
  if (!signer) throw new GatewayError('BAD_SIGNATURE', { reason: 'signer-certificate-missing' });
  const algorithm = await verifySignerSignature(cms.signerInfo, signer, 'BAD_SIGNATURE');
  // §3 fixes the PSS parameters; a valid signature with another salt is still refused, on every path.
  const pss = documentPssProblem(algorithm);
  if (pss) throw new GatewayError('BAD_SIGNATURE', { ...pss, expected: DOCUMENT_PSS });
  const certId = attributes.essCertIdsV2[0];
  if (!certId || !essCertIdMatches(certId, signer)) throw new GatewayError('BAD_SIGNATURE', { reason: 'signing-certificate-mismatch' });
  if (attributes.signingTime.getTime() > now.getTime() + skew) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'signing-time-in-future', signingTime: attributes.signingTime.toISOString() });
  }

  const timestamp = await verifySignatureTimestamp(cms, options, now);
  if (timestamp && attributes.signingTime.getTime() > timestamp.genTime.getTime() + skew) {
    throw new GatewayError('TIMESTAMP_INVALID', { reason: 'time-stamp-before-signing-time' });
  }
  const validationTime = timestamp?.genTime ?? attributes.signingTime;

  const chain = await validateCertificatePath(signer, {
    trustAnchors: options.trustAnchors,
    intermediates: [...cms.certificates, ...(options.intermediates ?? [])],
    time: validationTime,
  });
  const usage = keyUsageOf(signer);
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) {
    throw new GatewayError('WRONG_KEY_USAGE', { subject: subjectOf(signer), keyUsage: [...usage] });
  }
  const revocation = await checkRevocation(chain, {
    crls: [...(options.crls ?? []), ...cms.crls],
    time: validationTime,
    now,
    clockSkewMs: skew,
    ...(options.ocsp ? { ocsp: options.ocsp } : {}),
    ...(options.ocspResponses ? { ocspResponses: options.ocspResponses } : {}),
    ...(options.requireRevocation ? { requireRevocation: true } : {}),
  });
  return {
    subject: subjectOf(signer),
    serialNumber: serialNumberHex(signer),
    certificate: certificateDer(signer),
    signingTime: attributes.signingTime,
    ...(timestamp ? { timestampTime: timestamp.genTime, timestamp } : {}),
    validationTime,
    algorithm,
    chain: chain.map(summarizeCertificate),
    revocation,
  };
}

type CadesAttributes = Required<Pick<SignedAttributeValues, 'messageDigest' | 'signingTime' | 'essCertIdsV2'>>;

/** Detached id-data content, and every CAdES-BES signed attribute present and well-formed. */
function requireCadesAttributes(cms: DecodedSignedData): CadesAttributes {
  if (cms.eContentType !== OID_DATA) throw new GatewayError('BAD_SIGNATURE', { reason: 'content-type-not-data' });
  if (cms.eContent) throw new GatewayError('BAD_SIGNATURE', { reason: 'not-detached' });
  if (!cms.signerInfo.signedAttrs) throw new GatewayError('BAD_SIGNATURE', { reason: 'no-signed-attributes' });
  const read = readSignedAttributes(cms.signerInfo.signedAttrs, 'BAD_SIGNATURE');
  const missing = [
    read.contentType === undefined && 'contentType',
    read.messageDigest === undefined && 'messageDigest',
    read.signingTime === undefined && 'signingTime',
    read.essCertIdsV2 === undefined && 'signingCertificateV2',
  ].filter((name): name is string => typeof name === 'string');
  if (missing.length > 0) throw new GatewayError('BAD_SIGNATURE', { reason: 'signed-attribute-missing', missing });
  if (read.contentType !== OID_DATA) throw new GatewayError('BAD_SIGNATURE', { reason: 'content-type-attribute-mismatch' });
  return read as CadesAttributes;
}

/** The signatureTimeStampToken, verified; undefined when absent (TIMESTAMP_INVALID if required). */
async function verifySignatureTimestamp(cms: DecodedSignedData, options: VerifyOptions, now: Date): Promise<VerifiedTimestamp | undefined> {
  const tokens = (cms.signerInfo.unsignedAttrs?.attributes ?? [])
    .filter((attribute) => attribute.type === OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN)
    .flatMap((attribute) => attribute.values);
  if (tokens.length === 0) {
    if (options.requireTimestamp) throw new GatewayError('TIMESTAMP_INVALID', { reason: 'time-stamp-missing' });
    return undefined;
  }
  if (tokens.length > 1) throw new GatewayError('TIMESTAMP_INVALID', { reason: 'several-time-stamps' });
  // The token's bytes as received (a parsed element re-encoded could differ from what the TSA signed).
  const element = tokens[0] as asn1js.BaseBlock;
  const token = element.valueBeforeDecodeView.byteLength > 0 ? element.valueBeforeDecodeView.slice() : encodeDer(element);
  return verifyTimestampToken(token, cms.signerInfo.signature.valueBlock.valueHexView, {
    trustAnchors: options.tsaTrustAnchors ?? options.trustAnchors,
    intermediates: [...cms.certificates, ...(options.intermediates ?? [])],
    now,
    ...(options.crls ? { crls: options.crls } : {}),
    ...(options.ocsp ? { ocsp: options.ocsp } : {}),
    ...(options.ocspResponses ? { ocspResponses: options.ocspResponses } : {}),
    ...(options.requireRevocation ? { requireRevocation: true } : {}),
    ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
  });
}
