// Two-step signing for keys the gateway never holds (USB tokens, remote-signing services; DESIGN.md
// rule 6): prepare the CAdES-BES signed attributes and the digest to sign, let the signer's tool sign
// it, then assemble the CMS around the returned signature value after checking it.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError } from '../errors.ts';
import {
  digestBytes, hashAlgorithmIdentifier, isAcceptedKey, schemeFitsKey, verifyBytes, type SignatureAlgorithm,
  type SignatureScheme,
} from './algorithms.ts';
import { certificateSha256, isValidAt, keyUsageOf, notAfter, notBefore, publicKeyOf, subjectOf, type Certificate } from './certificates.ts';
import { bytesEqual, encodeDer, toArrayBuffer, toHex } from './der.ts';
import { defaultSignatureAlgorithm, signWithKey, type SigningKey } from './keys.ts';
import { OID_DATA } from './oids.ts';
import { buildSignedAttributes, decodeSignedAttributesDer, readSignedAttributes, signedAttributesDer, signingTimeOf } from './signed-attributes.ts';
import { buildSignerInfo, encodeSignedData } from './signed-data.ts';
import { essCertIdMatches } from './signing-certificate.ts';
import { addSignatureTimestamp } from './sign-cms.ts';
import type { TimestampRequestOptions, TsaEndpoint } from './timestamp-client.ts';
import { systemClock } from '../clock.ts';

/** What the signer's tool needs to know to produce the signature value. */
export interface ExternalAlgorithmHint extends SignatureAlgorithm {
  /** "MGF1-SHA-256" for RSASSA-PSS. */
  readonly mgf?: string;
  /** RSASSA-PKCS1-v1_5: DER DigestInfo of digestToSign, for tokens that sign it raw (CKM_RSA_PKCS). */
  readonly digestInfo?: Uint8Array;
}

export interface PreparedSignature {
  /** DER `SET OF Attribute`: the bytes whose hash is signed. Keep them unchanged until assembly. */
  readonly signedAttrsDer: Uint8Array;
  /** SHA-256 of signedAttrsDer. */
  readonly digestToSign: Uint8Array;
  readonly algorithm: ExternalAlgorithmHint;
  readonly signingTime: Date;
  /** SHA-256 of the document. */
  readonly messageDigest: Uint8Array;
  /** Hex SHA-256 of the signer certificate the attributes are bound to. */
  readonly certificateSha256: string;
}

export interface PrepareOptions {
  readonly data: Uint8Array;
  readonly signerCertificate: Certificate;
  /** Default: now. */
  readonly signingTime?: Date;
  /** Default: RSASSA-PSS for RSA certificates, ECDSA for EC; RSASSA-PKCS1-v1_5 for tokens that cannot do PSS. */
  readonly scheme?: SignatureScheme;
}

/**
 * Step 1. Checks what can be checked on the certificate alone before a person is asked to sign
 * (key accepted, key usage, validity at the signing time) and returns the data to sign.
 */
export function prepareExternalSignature(options: PrepareOptions): PreparedSignature {
  const cert = options.signerCertificate;
  const key = publicKeyOf(cert);
  if (!isAcceptedKey(key)) throw new GatewayError('BAD_SIGNATURE', { reason: 'key-not-accepted', subject: subjectOf(cert) });
  const algorithm: SignatureAlgorithm = options.scheme
    ? { scheme: options.scheme, hash: 'SHA-256', ...(options.scheme === 'RSASSA-PSS' ? { saltLength: 32 } : {}) }
    : defaultSignatureAlgorithm(key);
  if (!schemeFitsKey(algorithm.scheme, key)) throw new GatewayError('SIGNER_MISMATCH', { reason: 'scheme-does-not-fit-key', scheme: algorithm.scheme });
  const usage = keyUsageOf(cert);
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) throw new GatewayError('WRONG_KEY_USAGE', { subject: subjectOf(cert) });
  const signingTime = signingTimeOf(options.signingTime ?? systemClock.now());
  if (!isValidAt(cert, signingTime)) {
    throw new GatewayError('CERT_EXPIRED', { subject: subjectOf(cert), notBefore: notBefore(cert).toISOString(), notAfter: notAfter(cert).toISOString() });
  }
  const messageDigest = digestBytes('SHA-256', options.data);
  const signedAttrsDer = signedAttributesDer(buildSignedAttributes({ contentType: OID_DATA, messageDigest, signingTime, signerCertificate: cert }));
  const digestToSign = digestBytes('SHA-256', signedAttrsDer);
  return {
    signedAttrsDer,
    digestToSign,
    algorithm: {
      ...algorithm,
      ...(algorithm.scheme === 'RSASSA-PSS' ? { mgf: 'MGF1-SHA-256' } : {}),
      ...(algorithm.scheme === 'RSASSA-PKCS1-v1_5' ? { digestInfo: digestInfoDer(digestToSign) } : {}),
    },
    signingTime,
    messageDigest,
    certificateSha256: toHex(certificateSha256(cert)),
  };
}

export interface AssembleOptions {
  readonly prepared: PreparedSignature;
  /** From the signer's tool. ECDSA: DER or raw r‖s. */
  readonly signatureValue: Uint8Array;
  /** The certificate the tool reports having signed with. */
  readonly signerCertificate: Certificate;
  /** Intermediates to embed. */
  readonly chain?: readonly Certificate[];
  /** Optionally time-stamp the result (CAdES-T). */
  readonly tsa?: TsaEndpoint;
  readonly tsaOptions?: TimestampRequestOptions;
}

/**
 * Step 2. The certificate must be the one the attributes were prepared for (SIGNER_MISMATCH), the
 * attributes must be unchanged and the value must verify with its key (BAD_SIGNATURE). Returns the
 * DER CMS, which verifyDetached then accepts.
 */
export async function assembleExternalSignature(options: AssembleOptions): Promise<Uint8Array> {
  const { prepared, signerCertificate: cert } = options;
  if (!bytesEqual(digestBytes('SHA-256', prepared.signedAttrsDer), prepared.digestToSign)) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'prepared-attributes-changed' });
  }
  const signedAttributes = decodeSignedAttributesDer(prepared.signedAttrsDer, 'BAD_SIGNATURE');
  const values = readSignedAttributes(signedAttributes, 'BAD_SIGNATURE');
  const certId = values.essCertIdsV2?.[0];
  if (!certId || !essCertIdMatches(certId, cert)) throw new GatewayError('SIGNER_MISMATCH', { reason: 'not-the-prepared-certificate' });
  const key = publicKeyOf(cert);
  if (!isAcceptedKey(key) || !schemeFitsKey(prepared.algorithm.scheme, key)) {
    throw new GatewayError('SIGNER_MISMATCH', { reason: 'scheme-does-not-fit-key' });
  }
  const algorithm: SignatureAlgorithm = {
    scheme: prepared.algorithm.scheme, hash: prepared.algorithm.hash,
    ...(prepared.algorithm.saltLength === undefined ? {} : { saltLength: prepared.algorithm.saltLength }),
  };
  const signature = algorithm.scheme === 'ECDSA' ? ecdsaToDer(options.signatureValue, key.sizeBits) : options.signatureValue;
  if (!(await verifyBytes(cert.subjectPublicKeyInfo, algorithm, prepared.signedAttrsDer, signature))) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'signature-does-not-verify' });
  }
  if (!bytesEqual(signedAttributesDer(signedAttributes), prepared.signedAttrsDer)) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'attributes-not-der' });
  }
  const cms = encodeSignedData({
    eContentType: OID_DATA,
    digestAlgorithm: 'SHA-256',
    certificates: [cert, ...(options.chain ?? [])],
    signerInfo: buildSignerInfo({ signerCertificate: cert, digestAlgorithm: 'SHA-256', signedAttributes, signatureAlgorithm: algorithm, signature }),
  });
  return options.tsa === undefined ? cms : addSignatureTimestamp(cms, options.tsa, options.tsaOptions);
}

/**
 * Plays the USB token in tests and demos: signs the prepared attributes with `key`. ECDSA values
 * come back raw (r‖s), as PKCS#11 tokens return them, unless `ecdsaFormat: 'der'`.
 */
export async function signPreparedDigest(
  key: SigningKey, signedAttrsDer: Uint8Array, options: { scheme?: SignatureScheme; ecdsaFormat?: 'raw' | 'der' } = {},
): Promise<Uint8Array> {
  const scheme = options.scheme ?? defaultSignatureAlgorithm(key).scheme;
  const algorithm: SignatureAlgorithm = { scheme, hash: 'SHA-256', ...(scheme === 'RSASSA-PSS' ? { saltLength: 32 } : {}) };
  const der = await signWithKey(key, algorithm, signedAttrsDer);
  if (scheme !== 'ECDSA' || options.ecdsaFormat === 'der') return der;
  const size = Math.ceil(key.sizeBits / 8);
  const parsed = asn1js.fromBER(der).result as asn1js.Sequence;
  return new Uint8Array(pkijs.createECDSASignatureFromCMS(parsed, size));
}

/** Accepts DER ECDSA-Sig-Value as is and converts raw r‖s of the key's size to DER. */
function ecdsaToDer(value: Uint8Array, fieldBits: number): Uint8Array {
  const size = Math.ceil(fieldBits / 8);
  // Only a SEQUENCE tag can start DER; raw r‖s starts with any byte, and asn1js throws (rather than
  // failing) on some of them, e.g. 0x18 read as a malformed GeneralizedTime.
  if (value[0] === 0x30) {
    try {
      const parsed = asn1js.fromBER(value);
      if (parsed.offset === value.byteLength && parsed.result instanceof asn1js.Sequence && parsed.result.valueBlock.value.length === 2) return value;
    } catch {
      // not DER: fall through to raw r‖s
    }
  }
  if (value.byteLength !== 2 * size) throw new GatewayError('BAD_SIGNATURE', { reason: 'ecdsa-value-malformed' });
  return new Uint8Array(pkijs.createCMSECDSASignature(toArrayBuffer(value)));
}

function digestInfoDer(digest: Uint8Array): Uint8Array {
  return encodeDer(new asn1js.Sequence({
    value: [hashAlgorithmIdentifier('SHA-256').toSchema(), new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
  }));
}
