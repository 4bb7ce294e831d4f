// OCSP client (RFC 6960): ask a responder for one certificate's status and decide whether the answer
// is evidence. It is evidence only when signed by the issuing CA or by a responder the CA delegated
// (id-kp-OCSPSigning), for this exact certificate, with a matching nonce when one is echoed, and
// current for the time in question. Anything else is "no answer", never "good".
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseSignatureAlgorithm, verifyBytes } from './algorithms.ts';
import { isSignedBy } from './cert-chain.ts';
import { coversTime } from './crl.ts';
import { postDer, type DerHttpOptions } from './der-http.ts';
import { bytesEqual, decodePki, encodeDer, toArrayBuffer } from './der.ts';
import { extendedKeyUsageOf, isValidAt, nameDer, sameName, type Certificate } from './certificates.ts';
import { OID_KP_OCSP_SIGNING, OID_OCSP_BASIC, OID_OCSP_NONCE, OID_SHA1, OID_SHA256 } from './oids.ts';

/** Sends a DER OCSPRequest, returns the DER OCSPResponse (an HTTP client, or an in-process responder in tests). */
export type OcspTransport = (request: Uint8Array) => Promise<Uint8Array>;
export type OcspSource = ({ readonly url: string } & DerHttpOptions) | OcspTransport;

export type CertIdHash = 'SHA-1' | 'SHA-256';
const CERT_ID_HASH_OIDS: Record<CertIdHash, string> = { 'SHA-1': OID_SHA1, 'SHA-256': OID_SHA256 };

export interface OcspFinding {
  readonly status: 'good' | 'revoked';
  /** The OCSPResponse DER, kept as evidence. */
  readonly response: Uint8Array;
  readonly producedAt: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revokedAt?: Date;
}

export interface OcspNoAnswer {
  readonly status: 'unknown';
  readonly reason: string;
}

export interface OcspCheckOptions {
  /** The instant the status must speak for (signing time). */
  readonly time: Date;
  /** The verifier's clock, to refuse answers from the future. */
  readonly now: Date;
  readonly clockSkewMs?: number;
  /** CertID hash (default SHA-1, what RFC 5019 responders are required to support). */
  readonly certIdHash?: CertIdHash;
}

/** RFC 6960 CertID: hashes of the issuer's name and key, and the serial number. */
export function certIdFor(serialNumber: asn1js.Integer, issuer: Certificate, hash: CertIdHash): pkijs.CertID {
  const nodeHash = hash === 'SHA-1' ? 'sha1' : 'sha256';
  const issuerKey = issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: CERT_ID_HASH_OIDS[hash], algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: createHash(nodeHash).update(nameDer(issuer.subject)).digest() }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: createHash(nodeHash).update(issuerKey).digest() }),
    serialNumber: new asn1js.Integer({ valueHex: serialNumber.valueBlock.valueHexView.slice() }),
  });
}

export function certIdHashOf(certId: pkijs.CertID): CertIdHash | undefined {
  return (Object.keys(CERT_ID_HASH_OIDS) as CertIdHash[]).find((name) => CERT_ID_HASH_OIDS[name] === certId.hashAlgorithm.algorithmId);
}

/** A DER OCSPRequest for one certificate, with a fresh 16-byte nonce. */
export function buildOcspRequest(cert: Certificate, issuer: Certificate, hash: CertIdHash = 'SHA-1'): { der: Uint8Array; nonce: Uint8Array } {
  const nonce = new Uint8Array(randomBytes(16));
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({
      requestList: [new pkijs.Request({ reqCert: certIdFor(cert.serialNumber, issuer, hash) })],
      requestExtensions: [new pkijs.Extension({
        extnID: OID_OCSP_NONCE, critical: false, extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }).toBER(false),
      })],
    }),
  });
  return { der: encodeDer(request.toSchema(true)), nonce };
}

/** Asks `source` about `cert`. Transport failures and unusable answers come back as OcspNoAnswer. */
export async function queryOcsp(
  cert: Certificate, issuer: Certificate, source: OcspSource, options: OcspCheckOptions,
): Promise<OcspFinding | OcspNoAnswer> {
  const { der, nonce } = buildOcspRequest(cert, issuer, options.certIdHash);
  let answer: Uint8Array;
  try {
    answer = typeof source === 'function'
      ? await source(der)
      : await postDer(source.url, 'application/ocsp-request', der, 'REVOCATION_UNKNOWN', source);
  } catch (err) {
    const detail = (err as { details?: { reason?: string } }).details?.reason;
    return { status: 'unknown', reason: `responder-unreachable${detail ? `:${detail}` : ''}` };
  }
  return readOcspResponse(answer, cert, issuer, { ...options, nonce });
}

/** Reads an OCSPResponse (fresh, or stored evidence) about `cert`. */
export async function readOcspResponse(
  der: Uint8Array, cert: Certificate, issuer: Certificate, options: OcspCheckOptions & { nonce?: Uint8Array },
): Promise<OcspFinding | OcspNoAnswer> {
  const none = (reason: string): OcspNoAnswer => ({ status: 'unknown', reason });
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = decodePki(der, (schema) => new pkijs.OCSPResponse({ schema }), 'REVOCATION_UNKNOWN', 'ocsp-response');
    const status = response.responseStatus.valueBlock.valueDec;
    if (status !== 0) return none(`response-status-${status}`);
    if (response.responseBytes?.responseType !== OID_OCSP_BASIC) return none('not-basic-response');
    const inner = response.responseBytes.response.valueBlock.valueHexView;
    basic = decodePki(inner, (schema) => new pkijs.BasicOCSPResponse({ schema }), 'REVOCATION_UNKNOWN', 'basic-ocsp-response');
  } catch {
    return none('malformed');
  }
  const data = basic.tbsResponseData;
  const responder = await findAuthorizedResponder(basic, issuer);
  if (!responder) return none('responder-not-authorized');
  const algorithm = parseSignatureAlgorithm(basic.signatureAlgorithm);
  if (!algorithm || !(await verifyBytes(responder.subjectPublicKeyInfo, algorithm, data.tbsView, basic.signature.valueBlock.valueHexView))) {
    return none('signature-invalid');
  }
  if (options.nonce && !nonceMatches(data, options.nonce)) return none('nonce-mismatch');
  const single = data.responses.find((item) => {
    const hash = certIdHashOf(item.certID);
    return hash !== undefined && item.certID.isEqual(certIdFor(cert.serialNumber, issuer, hash));
  });
  if (!single) return none('certificate-not-in-response');
  return classify(single, data.producedAt, der, options);
}

function classify(single: pkijs.SingleResponse, producedAt: Date, der: Uint8Array, options: OcspCheckOptions): OcspFinding | OcspNoAnswer {
  const skew = options.clockSkewMs ?? 5 * 60_000;
  const base = { response: der, producedAt, thisUpdate: single.thisUpdate, ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}) };
  if (single.thisUpdate.getTime() > options.now.getTime() + skew) return { status: 'unknown', reason: 'answer-from-the-future' };
  const tag = (single.certStatus as asn1js.BaseBlock).idBlock?.tagNumber;
  if (tag === 1) {
    const revocationTime = (single.certStatus as asn1js.Constructed).valueBlock.value[0];
    if (!(revocationTime instanceof asn1js.GeneralizedTime)) return { status: 'unknown', reason: 'malformed' };
    return { ...base, status: 'revoked', revokedAt: revocationTime.toDate() };
  }
  if (tag !== 0) return { status: 'unknown', reason: 'status-unknown' };
  if (!coversTime(single.thisUpdate, single.nextUpdate, options.time)) return { status: 'unknown', reason: 'answer-stale' };
  return { ...base, status: 'good' };
}

/** The issuer itself, or a certificate in the answer that the issuer signed for OCSP signing. */
async function findAuthorizedResponder(basic: pkijs.BasicOCSPResponse, issuer: Certificate): Promise<Certificate | undefined> {
  const id: unknown = basic.tbsResponseData.responderID;
  const matchesId = (cert: Certificate): boolean => {
    if (id instanceof pkijs.RelativeDistinguishedNames) return sameName(id, cert.subject);
    const keyHash = id instanceof asn1js.OctetString ? id.valueBlock.valueHexView : undefined;
    const actual = createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    return keyHash !== undefined && bytesEqual(keyHash, actual);
  };
  if (matchesId(issuer)) return issuer;
  for (const candidate of basic.certs ?? []) {
    if (!matchesId(candidate) || !sameName(candidate.issuer, issuer.subject)) continue;
    if (!extendedKeyUsageOf(candidate)?.includes(OID_KP_OCSP_SIGNING)) continue;
    if (!isValidAt(candidate, basic.tbsResponseData.producedAt)) continue;
    if (await isSignedBy(candidate, issuer)) return candidate;
  }
  return undefined;
}

/** A responder need not echo the nonce (RFC 5019); if it does, it must be ours. */
function nonceMatches(data: pkijs.ResponseData, nonce: Uint8Array): boolean {
  const ext = data.responseExtensions?.find((item) => item.extnID === OID_OCSP_NONCE);
  if (!ext) return true;
  const value = ext.extnValue.valueBlock.valueHexView;
  const decoded = asn1js.fromBER(value);
  const inner = decoded.offset !== -1 && decoded.result instanceof asn1js.OctetString ? decoded.result.valueBlock.valueHexView : value;
  return bytesEqual(inner, nonce);
}
