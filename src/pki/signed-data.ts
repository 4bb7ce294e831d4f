// CMS SignedData (RFC 5652) with exactly one signer: encode/decode pair, finding the signer's
// certificate, and checking the signer's signature over its signed attributes. Shared by document
// signatures (eContentType id-data, detached) and time-stamp tokens (id-ct-TSTInfo, encapsulated).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError, type ErrorCode } from '../errors.ts';
import {
  hashAlgorithmIdentifier, hashFromOid, isAcceptedKey, parseSignatureAlgorithm, signatureAlgorithmIdentifier, verifyBytes,
  type HashName, type SignatureAlgorithm,
} from './algorithms.ts';
import {
  bytesEqual, decodePki, derElement, DER_CONTEXT_0, DER_SEQUENCE, DER_SET, encodeDer, fromSchema, toArrayBuffer,
} from './der.ts';
import {
  certificateDer, integerHex, nameDer, publicKeyOf, rememberCertificateDer, serialNumberHex, subjectKeyIdentifierOf,
  type Certificate,
} from './certificates.ts';
import { OID_DATA, OID_SIGNED_DATA } from './oids.ts';

export interface SignerInfoParts {
  readonly signerCertificate: Certificate;
  readonly digestAlgorithm: HashName;
  readonly signedAttributes: pkijs.SignedAndUnsignedAttributes;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly unsignedAttributes?: pkijs.SignedAndUnsignedAttributes;
}

/** A version-1 SignerInfo that names its certificate by issuer and serial number. */
export function buildSignerInfo(parts: SignerInfoParts): pkijs.SignerInfo {
  const sid = new pkijs.IssuerAndSerialNumber({
    issuer: parts.signerCertificate.issuer,
    serialNumber: new asn1js.Integer({ valueHex: parts.signerCertificate.serialNumber.valueBlock.valueHexView.slice() }),
  });
  return new pkijs.SignerInfo({
    version: 1,
    sid,
    digestAlgorithm: hashAlgorithmIdentifier(parts.digestAlgorithm),
    signedAttrs: parts.signedAttributes,
    signatureAlgorithm: signatureAlgorithmIdentifier(parts.signatureAlgorithm),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(parts.signature) }),
    ...(parts.unsignedAttributes ? { unsignedAttrs: parts.unsignedAttributes } : {}),
  });
}

export interface SignedDataParts {
  readonly eContentType: string;
  /** Encapsulated content (time-stamp tokens); omitted for detached signatures. */
  readonly eContent?: Uint8Array;
  readonly digestAlgorithm: HashName;
  readonly certificates: Certificate[];
  readonly signerInfo: pkijs.SignerInfo;
}

/**
 * ContentInfo { signedData } DER. The outer layers are written directly so that the embedded
 * certificates go in as their (cached) DER: having PKI.js re-encode them took most of the time of
 * signing a document.
 *
 *   ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }
 *   SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, [0] IMPLICIT certificates, signerInfos SET }
 */
export function encodeSignedData(parts: SignedDataParts): Uint8Array {
  const encapContentInfo = new pkijs.EncapsulatedContentInfo({
    eContentType: parts.eContentType,
    ...(parts.eContent ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(parts.eContent) }) } : {}),
  });
  const signedData = derElement(DER_SEQUENCE,
    // RFC 5652 §5.1: version 3 when the content is not id-data, else 1.
    encodeDer(new asn1js.Integer({ value: parts.eContentType === OID_DATA ? 1 : 3 })),
    derElement(DER_SET, encodeDer(hashAlgorithmIdentifier(parts.digestAlgorithm))),
    encodeDer(encapContentInfo),
    ...(parts.certificates.length > 0 ? [derElement(DER_CONTEXT_0, ...parts.certificates.map(certificateDer))] : []),
    derElement(DER_SET, encodeDer(parts.signerInfo)));
  return derElement(DER_SEQUENCE, encodeDer(new asn1js.ObjectIdentifier({ value: OID_SIGNED_DATA })), derElement(DER_CONTEXT_0, signedData));
}

export interface DecodedSignedData {
  readonly signedData: pkijs.SignedData;
  readonly signerInfo: pkijs.SignerInfo;
  readonly certificates: Certificate[];
  readonly crls: pkijs.CertificateRevocationList[];
  readonly eContentType: string;
  readonly eContent?: Uint8Array;
}

/** Parses ContentInfo(SignedData) with exactly one SignerInfo; anything else throws `code`. */
export function decodeSignedData(der: Uint8Array, code: ErrorCode): DecodedSignedData {
  const contentInfo = decodePki(der, (schema) => new pkijs.ContentInfo({ schema }), code, 'content-info');
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new GatewayError(code, { reason: 'not-signed-data' });
  const signedData = fromSchema((schema) => new pkijs.SignedData({ schema }), contentInfo.content, code, 'signed-data');
  if (signedData.signerInfos.length !== 1) {
    throw new GatewayError(code, { reason: 'signer-count', signers: signedData.signerInfos.length });
  }
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const eContent = signedData.encapContentInfo.eContent;
  rememberEmbeddedCertificates(signedData, contentInfo.content);
  return {
    signedData,
    signerInfo,
    certificates: (signedData.certificates ?? []).filter((item): item is Certificate => item instanceof pkijs.Certificate),
    crls: (signedData.crls ?? []).filter((item): item is pkijs.CertificateRevocationList => item instanceof pkijs.CertificateRevocationList),
    eContentType: signedData.encapContentInfo.eContentType,
    ...(eContent ? { eContent: new Uint8Array(eContent.getValue()) } : {}),
  };
}

/** Hands each embedded certificate the bytes it was parsed from ([0] of SignedData, same order). */
function rememberEmbeddedCertificates(signedData: pkijs.SignedData, parsed: unknown): void {
  if (!(parsed instanceof asn1js.Sequence)) return;
  const set = parsed.valueBlock.value.find((item) => item.idBlock.tagClass === 3 && item.idBlock.tagNumber === 0);
  const elements = set instanceof asn1js.Constructed ? set.valueBlock.value : [];
  signedData.certificates?.forEach((cert, index) => {
    const raw = elements[index]?.valueBeforeDecodeView;
    if (cert instanceof pkijs.Certificate && raw && raw.byteLength > 0) rememberCertificateDer(cert, raw);
  });
}

/** The certificate the SignerInfo names (issuer+serial or subjectKeyIdentifier), if it is among `certificates`. */
export function findSignerCertificate(signerInfo: pkijs.SignerInfo, certificates: Certificate[]): Certificate | undefined {
  const sid: unknown = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuer = nameDer(sid.issuer);
    const serial = integerHex(sid.serialNumber);
    return certificates.find((cert) => serialNumberHex(cert) === serial && bytesEqual(nameDer(cert.issuer), issuer));
  }
  // [0] SubjectKeyIdentifier (version-3 SignerInfo)
  const keyId = (sid as { valueBlock?: { value?: asn1js.AsnType[] } })?.valueBlock?.value?.[0];
  const wanted = keyId instanceof asn1js.OctetString ? keyId.valueBlock.valueHexView : (sid as asn1js.Primitive)?.valueBlock?.valueHexView;
  if (!wanted) return undefined;
  return certificates.find((cert) => {
    const ski = subjectKeyIdentifierOf(cert);
    return ski !== undefined && bytesEqual(ski, wanted);
  });
}

/** The SignerInfo's digest algorithm; SHA-1 and unknown algorithms throw `code`. */
export function signerDigestAlgorithm(signerInfo: pkijs.SignerInfo, code: ErrorCode): HashName {
  const hash = hashFromOid(signerInfo.digestAlgorithm.algorithmId);
  if (!hash) throw new GatewayError(code, { reason: 'digest-algorithm-not-accepted', oid: signerInfo.digestAlgorithm.algorithmId });
  return hash;
}

/**
 * Checks the SignerInfo's signature over the DER of its signed attributes (exactly as received) with
 * `cert`'s key. Returns the algorithm; a missing attribute set, an algorithm or key we do not accept,
 * or a wrong signature throws `code`.
 */
export async function verifySignerSignature(signerInfo: pkijs.SignerInfo, cert: Certificate, code: ErrorCode): Promise<SignatureAlgorithm> {
  if (!signerInfo.signedAttrs) throw new GatewayError(code, { reason: 'no-signed-attributes' });
  const digest = signerDigestAlgorithm(signerInfo, code);
  const algorithm = parseSignatureAlgorithm(signerInfo.signatureAlgorithm, digest);
  if (!algorithm) {
    throw new GatewayError(code, { reason: 'signature-algorithm-not-accepted', oid: signerInfo.signatureAlgorithm.algorithmId });
  }
  if (!isAcceptedKey(publicKeyOf(cert))) throw new GatewayError(code, { reason: 'key-not-accepted' });
  const signedBytes = new Uint8Array(signerInfo.signedAttrs.encodedValue);
  const signature = signerInfo.signature.valueBlock.valueHexView;
  if (!(await verifyBytes(cert.subjectPublicKeyInfo, algorithm, signedBytes, signature))) {
    throw new GatewayError(code, { reason: 'signature-invalid' });
  }
  return algorithm;
}
