// Builds deliberately wrong CMS signatures for the verifier's tests, from the same parts the signer
// uses, and decodes/re-encodes signatures to tamper with them.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestBytes, type HashName, type SignatureAlgorithm } from '../../../src/pki/algorithms.ts';
import type { Certificate } from '../../../src/pki/certificates.ts';
import { encodeDer } from '../../../src/pki/der.ts';
import { defaultSignatureAlgorithm, signWithKey } from '../../../src/pki/keys.ts';
import { OID_DATA, OID_SIGNED_DATA } from '../../../src/pki/oids.ts';
import { attributeSet, buildSignedAttributes, signedAttributesDer } from '../../../src/pki/signed-attributes.ts';
import { buildSignerInfo, encodeSignedData } from '../../../src/pki/signed-data.ts';
import type { SigningIdentity } from '../../../src/pki/signing-identity.ts';

export interface CraftOptions {
  readonly signingTime?: Date;
  /** Change the signed attributes before they are signed. */
  readonly attributes?: (attributes: pkijs.Attribute[]) => pkijs.Attribute[];
  /** Certificate named by signingCertificateV2 (default: the signer's). */
  readonly essCertificate?: Certificate;
  /** Certificates embedded (default: signer + chain). */
  readonly certificates?: Certificate[];
  readonly digest?: HashName;
  readonly algorithm?: SignatureAlgorithm;
  /** Encapsulate the content instead of a detached signature. */
  readonly attach?: boolean;
  /** A second, identical SignerInfo. */
  readonly twoSigners?: boolean;
}

export async function craftCms(data: Uint8Array, signer: SigningIdentity, options: CraftOptions = {}): Promise<Uint8Array> {
  const digest = options.digest ?? 'SHA-256';
  const algorithm = options.algorithm ?? { ...defaultSignatureAlgorithm(signer.key), hash: digest };
  const built = buildSignedAttributes({
    contentType: OID_DATA,
    messageDigest: digestBytes(digest, data),
    signingTime: options.signingTime ?? new Date(),
    signerCertificate: options.essCertificate ?? signer.certificate,
  });
  const signedAttributes = attributeSet(options.attributes ? options.attributes(built.attributes) : built.attributes, 0);
  const signature = await signWithKey(signer.key, algorithm, signedAttributesDer(signedAttributes));
  const signerInfo = buildSignerInfo({ signerCertificate: signer.certificate, digestAlgorithm: digest, signedAttributes, signatureAlgorithm: algorithm, signature });
  const der = encodeSignedData({
    eContentType: OID_DATA,
    ...(options.attach ? { eContent: data } : {}),
    digestAlgorithm: digest,
    certificates: options.certificates ?? [signer.certificate, ...signer.chain],
    signerInfo,
  });
  return options.twoSigners ? mutateSignedData(der, (sd) => { sd.signerInfos.push(sd.signerInfos[0] as pkijs.SignerInfo); }) : der;
}

/** Decodes a ContentInfo(SignedData), lets `mutate` change it, and re-encodes it. */
export function mutateSignedData(der: Uint8Array, mutate: (signedData: pkijs.SignedData) => void): Uint8Array {
  const contentInfo = pkijs.ContentInfo.fromBER(der.slice().buffer);
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  mutate(signedData);
  return encodeDer(new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signedData.toSchema(true) }));
}

export function withoutAttribute(oid: string): (attributes: pkijs.Attribute[]) => pkijs.Attribute[] {
  return (attributes) => attributes.filter((attribute) => attribute.type !== oid);
}

export function replaceAttribute(oid: string, value: asn1js.AsnType): (attributes: pkijs.Attribute[]) => pkijs.Attribute[] {
  return (attributes) => [...attributes.filter((attribute) => attribute.type !== oid), new pkijs.Attribute({ type: oid, values: [value] })];
}

/** Flips one bit of the byte at `offset` (negative: from the end). */
export function flipByte(bytes: Uint8Array, offset: number): Uint8Array {
  const copy = bytes.slice();
  const index = offset < 0 ? copy.length + offset : offset;
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}
