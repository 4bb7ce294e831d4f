// RFC 3161 time-stamp tokens: reading TSTInfo and verifying a token over a signature value
// (CAdES-T signatureTimeStampToken). Every failure of the token itself is TIMESTAMP_INVALID: bad
// structure, imprint of other data, bad signature, TSA certificate not chaining to a trust anchor,
// not valid at genTime, revoked, or without the timeStamping extended key usage.
import * as pkijs from 'pkijs';
import { GatewayError, isGatewayError } from '../errors.ts';
import { digestBytes, hashFromOid, type HashName } from './algorithms.ts';
import { validateCertificatePath } from './cert-chain.ts';
import { extendedKeyUsageOf, integerHex, keyUsageOf, subjectOf, type Certificate } from './certificates.ts';
import { bytesEqual, decodeDer, fromSchema } from './der.ts';
import { OID_KP_TIME_STAMPING, OID_TST_INFO } from './oids.ts';
import { checkRevocation, type RevocationEvidence, type RevocationOptions } from './revocation.ts';
import { readSignedAttributes } from './signed-attributes.ts';
import { decodeSignedData, findSignerCertificate, verifySignerSignature, type DecodedSignedData } from './signed-data.ts';
import { essCertIdMatches } from './signing-certificate.ts';

export interface TimestampVerifyOptions extends Omit<RevocationOptions, 'time'> {
  readonly trustAnchors: readonly Certificate[];
  readonly intermediates?: readonly Certificate[];
}

export interface VerifiedTimestamp {
  readonly genTime: Date;
  readonly serialNumber: string;
  readonly policy: string;
  readonly imprintAlgorithm: HashName;
  readonly tsaSubject: string;
  /** [TSA certificate, …, anchor]. */
  readonly chain: Certificate[];
  readonly revocation: RevocationEvidence[];
  readonly token: Uint8Array;
}

const invalid = (reason: string, extra: Record<string, unknown> = {}): GatewayError =>
  new GatewayError('TIMESTAMP_INVALID', { reason, ...extra });

/** Parses a token's TSTInfo (no verification). Trailing bytes after TSTInfo are refused too. */
export function readTstInfo(token: DecodedSignedData): pkijs.TSTInfo {
  if (token.eContentType !== OID_TST_INFO || !token.eContent) throw invalid('not-a-time-stamp-token');
  const schema = decodeDer(token.eContent, 'TIMESTAMP_INVALID', 'tst-info');
  return fromSchema((asn) => new pkijs.TSTInfo({ schema: asn }), schema, 'TIMESTAMP_INVALID', 'tst-info');
}

/**
 * Verifies `tokenDer` as a time-stamp over `signatureValue` (the imprint must be its hash) and
 * returns genTime. REVOCATION_UNKNOWN for the TSA chain is passed through as such.
 */
export async function verifyTimestampToken(
  tokenDer: Uint8Array, signatureValue: Uint8Array, options: TimestampVerifyOptions,
): Promise<VerifiedTimestamp> {
  const token = decodeSignedData(tokenDer, 'TIMESTAMP_INVALID');
  const tstInfo = readTstInfo(token);
  const imprintAlgorithm = hashFromOid(tstInfo.messageImprint.hashAlgorithm.algorithmId);
  if (!imprintAlgorithm) throw invalid('imprint-algorithm-not-accepted');
  if (!bytesEqual(digestBytes(imprintAlgorithm, signatureValue), tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    throw invalid('imprint-mismatch');
  }
  const skew = options.clockSkewMs ?? 5 * 60_000;
  if (tstInfo.genTime.getTime() > options.now.getTime() + skew) throw invalid('gen-time-in-future');
  const tsaCert = await checkTokenSignature(token);
  const purposes = extendedKeyUsageOf(tsaCert);
  const usage = keyUsageOf(tsaCert);
  if (!purposes?.includes(OID_KP_TIME_STAMPING)) throw invalid('tsa-without-time-stamping-usage', { subject: subjectOf(tsaCert) });
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) throw invalid('tsa-key-usage');
  const { chain, revocation } = await checkTsaCertificate(tsaCert, tstInfo.genTime, token, options);
  return {
    genTime: tstInfo.genTime,
    serialNumber: integerHex(tstInfo.serialNumber),
    policy: tstInfo.policy,
    imprintAlgorithm,
    tsaSubject: subjectOf(tsaCert),
    chain,
    revocation,
    token: tokenDer,
  };
}

/** The token's own CMS checks: content digest, ESS signing certificate, signature. Returns the TSA certificate. */
async function checkTokenSignature(token: DecodedSignedData): Promise<Certificate> {
  const tsaCert = findSignerCertificate(token.signerInfo, token.certificates);
  if (!tsaCert) throw invalid('tsa-certificate-missing');
  if (!token.signerInfo.signedAttrs) throw invalid('no-signed-attributes');
  const attributes = readSignedAttributes(token.signerInfo.signedAttrs, 'TIMESTAMP_INVALID');
  if (attributes.contentType !== OID_TST_INFO || !attributes.messageDigest) throw invalid('signed-attributes-incomplete');
  const algorithm = await verifySignerSignature(token.signerInfo, tsaCert, 'TIMESTAMP_INVALID');
  if (!bytesEqual(digestBytes(algorithm.hash, token.eContent ?? new Uint8Array()), attributes.messageDigest)) {
    throw invalid('tst-info-digest-mismatch');
  }
  // RFC 3161 §2.4.1 / RFC 5816: the token names its TSA certificate with ESS signing-certificate (v1 or v2).
  const ids = attributes.essCertIdsV2 ?? attributes.essCertIdsV1;
  if (!ids?.[0] || !essCertIdMatches(ids[0], tsaCert)) throw invalid('ess-signing-certificate-mismatch');
  return tsaCert;
}

async function checkTsaCertificate(
  tsaCert: Certificate, genTime: Date, token: DecodedSignedData, options: TimestampVerifyOptions,
): Promise<{ chain: Certificate[]; revocation: RevocationEvidence[] }> {
  try {
    const chain = await validateCertificatePath(tsaCert, {
      trustAnchors: options.trustAnchors,
      intermediates: [...token.certificates, ...(options.intermediates ?? [])],
      time: genTime,
    });
    const revocation = await checkRevocation(chain, { ...options, crls: [...(options.crls ?? []), ...token.crls], time: genTime });
    return { chain, revocation };
  } catch (err) {
    if (isGatewayError(err, 'REVOCATION_UNKNOWN')) throw err;
    if (isGatewayError(err)) throw invalid('tsa-certificate', { cause: err.code, details: err.details });
    throw err;
  }
}
