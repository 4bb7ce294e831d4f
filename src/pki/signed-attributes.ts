// The CAdES-BES signed attributes (NATIONAL_API.md §3): contentType, messageDigest, signingTime and
// signingCertificateV2. Build/parse pair. The signature covers the DER encoding of the SET OF
// attributes, so the set is sorted as DER requires; OpenSSL re-encodes before verifying and would
// otherwise see different bytes.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError, type ErrorCode } from '../errors.ts';
import { decodeDer, encodeDer, toArrayBuffer } from './der.ts';
import { decodeSigningCertificate, encodeSigningCertificateV2, type EssCertId } from './signing-certificate.ts';
import type { Certificate } from './certificates.ts';
import {
  OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SIGNING_CERTIFICATE, OID_ATTR_SIGNING_CERTIFICATE_V2,
  OID_ATTR_SIGNING_TIME,
} from './oids.ts';

const SIGNED_ATTRS_TAG = 0;

export interface CadesAttributeValues {
  /** eContentType: id-data for documents, id-ct-TSTInfo for time-stamp tokens. */
  readonly contentType: string;
  readonly messageDigest: Uint8Array;
  /** Omitted for time-stamp tokens, whose time is in TSTInfo. */
  readonly signingTime?: Date;
  readonly signerCertificate: Certificate;
}

export interface SignedAttributeValues {
  readonly contentType?: string;
  readonly messageDigest?: Uint8Array;
  readonly signingTime?: Date;
  readonly essCertIdsV2?: EssCertId[];
  readonly essCertIdsV1?: EssCertId[];
}

/** signingTime truncated to whole seconds, as UTCTime/GeneralizedTime carries it. */
export function signingTimeOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise. */
function encodeTime(date: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
}

/** The signed attributes, in DER order, as the [0] field of a SignerInfo. */
export function buildSignedAttributes(values: CadesAttributeValues): pkijs.SignedAndUnsignedAttributes {
  const attributes = [
    new pkijs.Attribute({ type: OID_ATTR_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: values.contentType })] }),
    new pkijs.Attribute({
      type: OID_ATTR_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(values.messageDigest) })],
    }),
    new pkijs.Attribute({ type: OID_ATTR_SIGNING_CERTIFICATE_V2, values: [encodeSigningCertificateV2(values.signerCertificate)] }),
  ];
  if (values.signingTime) {
    attributes.push(new pkijs.Attribute({ type: OID_ATTR_SIGNING_TIME, values: [encodeTime(signingTimeOf(values.signingTime))] }));
  }
  return attributeSet(attributes, SIGNED_ATTRS_TAG);
}

/** A [tag] SET OF Attribute, sorted by encoding (X.690 §11.6). */
export function attributeSet(attributes: pkijs.Attribute[], tag: number): pkijs.SignedAndUnsignedAttributes {
  const sorted = attributes
    .map((attribute) => ({ attribute, der: encodeDer(attribute) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((entry) => entry.attribute);
  return new pkijs.SignedAndUnsignedAttributes({ type: tag, attributes: sorted });
}

/** DER of `SET OF Attribute`: the exact bytes a signer signs. */
export function signedAttributesDer(attrs: pkijs.SignedAndUnsignedAttributes): Uint8Array {
  return encodeDer(new asn1js.Set({ value: attrs.attributes.map((attribute) => attribute.toSchema()) }));
}

/** Parses the DER SET OF Attribute that was signed (two-step signing hands these bytes around). */
export function decodeSignedAttributesDer(der: Uint8Array, code: ErrorCode): pkijs.SignedAndUnsignedAttributes {
  const set = decodeDer(der, code, 'signed-attributes');
  if (!(set instanceof asn1js.Set) || set.valueBlock.value.length === 0) {
    throw new GatewayError(code, { reason: 'unexpected-structure', what: 'signed-attributes' });
  }
  try {
    const attributes = set.valueBlock.value.map((item) => new pkijs.Attribute({ schema: item }));
    return new pkijs.SignedAndUnsignedAttributes({ type: SIGNED_ATTRS_TAG, attributes });
  } catch (err) {
    throw new GatewayError(code, { reason: 'unexpected-structure', what: 'signed-attributes' }, { cause: err });
  }
}

/**
 * Reads the attributes we care about. An attribute present twice, or with other than one value,
 * or with a value of the wrong type, throws `code`: RFC 5652 §5.3 allows neither.
 */
export function readSignedAttributes(attrs: pkijs.SignedAndUnsignedAttributes, code: ErrorCode): SignedAttributeValues {
  const single = (oid: string): unknown => {
    const found = attrs.attributes.filter((attribute) => attribute.type === oid);
    if (found.length === 0) return undefined;
    if (found.length > 1 || found[0]?.values.length !== 1) throw new GatewayError(code, { reason: 'attribute-not-single', oid });
    return found[0].values[0];
  };
  const bad = (oid: string): never => {
    throw new GatewayError(code, { reason: 'attribute-malformed', oid });
  };
  const contentType = single(OID_ATTR_CONTENT_TYPE);
  const messageDigest = single(OID_ATTR_MESSAGE_DIGEST);
  const signingTime = single(OID_ATTR_SIGNING_TIME);
  const v2 = single(OID_ATTR_SIGNING_CERTIFICATE_V2);
  const v1 = single(OID_ATTR_SIGNING_CERTIFICATE);
  if (contentType !== undefined && !(contentType instanceof asn1js.ObjectIdentifier)) bad(OID_ATTR_CONTENT_TYPE);
  if (messageDigest !== undefined && !(messageDigest instanceof asn1js.OctetString)) bad(OID_ATTR_MESSAGE_DIGEST);
  if (signingTime !== undefined && !(signingTime instanceof asn1js.UTCTime)) bad(OID_ATTR_SIGNING_TIME);
  const essCertIdsV2 = v2 === undefined ? undefined : decodeSigningCertificate(v2, 2) ?? bad(OID_ATTR_SIGNING_CERTIFICATE_V2);
  const essCertIdsV1 = v1 === undefined ? undefined : decodeSigningCertificate(v1, 1) ?? bad(OID_ATTR_SIGNING_CERTIFICATE);
  return {
    contentType: (contentType as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString(),
    messageDigest: (messageDigest as asn1js.OctetString | undefined)?.valueBlock.valueHexView.slice(),
    signingTime: (signingTime as asn1js.UTCTime | undefined)?.toDate(),
    essCertIdsV2,
    essCertIdsV1,
  };
}
