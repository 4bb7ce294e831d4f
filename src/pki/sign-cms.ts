// Detached CMS signatures over exact bytes (NATIONAL_API.md §3): CAdES-BES, plus CAdES-T when a TSA
// is configured. SHA-256; RSASSA-PSS (MGF1-SHA-256, salt 32) for RSA keys, ECDSA for EC keys; one
// signer; the signer's certificate and its intermediates embedded.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError } from '../errors.ts';
import { digestBytes } from './algorithms.ts';
import { decodeDer, encodeDer } from './der.ts';
import { defaultSignatureAlgorithm, signWithKey } from './keys.ts';
import type { SignatureAlgorithm } from './algorithms.ts';
import { OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN, OID_DATA } from './oids.ts';
import { attributeSet, buildSignedAttributes, signedAttributesDer } from './signed-attributes.ts';
import { buildSignerInfo, decodeSignedData, encodeSignedData } from './signed-data.ts';
import type { SigningIdentity } from './signing-identity.ts';
import { requestTimestamp, type TimestampRequestOptions, type TsaEndpoint } from './timestamp-client.ts';
import { systemClock } from '../clock.ts';

export interface SignOptions {
  /** signingTime attribute (default: now), truncated to whole seconds. */
  readonly signingTime?: Date;
  /** Time-stamp the signature (CAdES-T) at this TSA URL… */
  readonly tsaUrl?: string;
  /** …or through this endpoint (a URL or an in-process transport). */
  readonly tsa?: TsaEndpoint;
  readonly tsaOptions?: TimestampRequestOptions;
  /** Default: RSASSA-PSS for RSA keys, ECDSA for EC keys. PDF signatures use PKCS#1 v1.5, which every PDF reader verifies. */
  readonly signatureAlgorithm?: SignatureAlgorithm;
}

const UNSIGNED_ATTRS_TAG = 1;

/** Signs `data` and returns the DER ContentInfo(SignedData) without the content. */
export async function signDetached(data: Uint8Array, signer: SigningIdentity, options: SignOptions = {}): Promise<Uint8Array> {
  const algorithm = options.signatureAlgorithm ?? defaultSignatureAlgorithm(signer.key);
  const signedAttributes = buildSignedAttributes({
    contentType: OID_DATA,
    messageDigest: digestBytes('SHA-256', data),
    signingTime: options.signingTime ?? systemClock.now(),
    signerCertificate: signer.certificate,
  });
  const signature = await signWithKey(signer.key, algorithm, signedAttributesDer(signedAttributes));
  const tsa = options.tsa ?? options.tsaUrl;
  const unsignedAttributes = tsa === undefined ? undefined : await timestampAttributes(signature, tsa, options.tsaOptions);
  return encodeSignedData({
    eContentType: OID_DATA,
    digestAlgorithm: 'SHA-256',
    certificates: [signer.certificate, ...signer.chain],
    signerInfo: buildSignerInfo({
      signerCertificate: signer.certificate,
      digestAlgorithm: 'SHA-256',
      signedAttributes,
      signatureAlgorithm: algorithm,
      signature,
      ...(unsignedAttributes ? { unsignedAttributes } : {}),
    }),
  });
}

/**
 * Turns a CAdES-BES signature made by this module (or by assembleExternalSignature) into CAdES-T:
 * requests a token over its signature value and adds it as signatureTimeStampToken.
 */
export async function addSignatureTimestamp(cmsDer: Uint8Array, tsa: TsaEndpoint, options?: TimestampRequestOptions): Promise<Uint8Array> {
  const decoded = decodeSignedData(cmsDer, 'BAD_SIGNATURE');
  const { signerInfo } = decoded;
  if (signerInfo.unsignedAttrs?.attributes.some((attribute) => attribute.type === OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN)) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'already-time-stamped' });
  }
  const signature = signerInfo.signature.valueBlock.valueHexView.slice();
  const added = await timestampAttributes(signature, tsa, options);
  signerInfo.unsignedAttrs = attributeSet([...(signerInfo.unsignedAttrs?.attributes ?? []), ...added.attributes], UNSIGNED_ATTRS_TAG);
  return encodeDer(new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: decoded.signedData.toSchema(true) }));
}

async function timestampAttributes(signature: Uint8Array, tsa: TsaEndpoint, options?: TimestampRequestOptions): Promise<pkijs.SignedAndUnsignedAttributes> {
  const { token } = await requestTimestamp(tsa, digestBytes('SHA-256', signature), options);
  const tokenElement: asn1js.AsnType = decodeDer(token, 'TIMESTAMP_INVALID', 'time-stamp-token');
  return attributeSet([new pkijs.Attribute({ type: OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN, values: [tokenElement] })], UNSIGNED_ATTRS_TAG);
}
