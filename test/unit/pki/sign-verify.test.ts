import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestBytes } from '../../../src/pki/algorithms.ts';
import { certificateDer, certificateSha256, serialNumberHex, subjectOf } from '../../../src/pki/certificates.ts';
import { bytesEqual, toHex } from '../../../src/pki/der.ts';
import {
  OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SIGNING_CERTIFICATE_V2, OID_ATTR_SIGNING_TIME, OID_DATA,
  OID_RSASSA_PSS, OID_ECDSA_SHA256, OID_SHA256,
} from '../../../src/pki/oids.ts';
import { decodeSignedAttributesDer, readSignedAttributes, signedAttributesDer } from '../../../src/pki/signed-attributes.ts';
import { decodeSignedData } from '../../../src/pki/signed-data.ts';
import { decodeSigningCertificate, encodeSigningCertificateV2, essCertIdMatches } from '../../../src/pki/signing-certificate.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

let pki: TestPki;
let options: VerifyOptions;
const document = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?><GoiTinDongBo>Nguyễn Văn An</GoiTinDongBo>');

beforeAll(async () => {
  pki = await getTestPki();
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true };
});

describe('signDetached + verifyDetached', () => {
  it.each([
    ['org-signer', 'RSASSA-PSS'],
    ['head-rsa', 'RSASSA-PSS'],
    ['head-ec', 'ECDSA'],
    ['deputy', 'ECDSA'],
  ] as const)('%s signs with %s and the signature verifies', async (entity, scheme) => {
    const signer = pki.identity(entity);
    const cms = await signDetached(document, signer);
    const result = await verifyDetached(document, cms, options);
    expect(result.subject).toBe(subjectOf(signer.certificate));
    expect(result.serialNumber).toBe(serialNumberHex(signer.certificate));
    expect(bytesEqual(result.certificate, certificateDer(signer.certificate))).toBe(true);
    expect(result.algorithm.scheme).toBe(scheme);
    expect(result.algorithm.hash).toBe('SHA-256');
    if (scheme === 'RSASSA-PSS') expect(result.algorithm.saltLength).toBe(32);
    expect(result.chain.map((cert) => cert.subject)).toEqual([
      subjectOf(signer.certificate), subjectOf(pki.certificate('intermediate-ca')), subjectOf(pki.certificate('root-ca')),
    ]);
    expect(result.revocation.map((item) => [item.source, item.status])).toEqual([['crl', 'good'], ['crl', 'good']]);
    expect(result.timestampTime).toBeUndefined();
  });

  it('reports the signing time it was given, whole seconds, and judges validity at it', async () => {
    const signingTime = new Date(Date.now() - 3_600_500);
    const cms = await signDetached(document, pki.identity('head-ec'), { signingTime });
    const result = await verifyDetached(document, cms, options);
    expect(result.signingTime.getTime()).toBe(Math.floor(signingTime.getTime() / 1000) * 1000);
    expect(result.validationTime).toEqual(result.signingTime);
  });

  it('signs exact bytes: empty input and every byte value', async () => {
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const data of [new Uint8Array(), binary]) {
      const cms = await signDetached(data, pki.identity('head-ec'));
      await expect(verifyDetached(data, cms, options)).resolves.toMatchObject({ subject: subjectOf(pki.certificate('head-ec')) });
    }
  });

  it('hands back the revocation evidence it used (the CRL DER)', async () => {
    const cms = await signDetached(document, pki.identity('org-signer'));
    const result = await verifyDetached(document, cms, options);
    const crl = new Uint8Array(pki.crl('intermediate-ca').toSchema().toBER(false));
    expect(result.revocation[0]?.evidence && bytesEqual(result.revocation[0].evidence, crl)).toBe(true);
  });
});

describe('the CMS structure we produce (NATIONAL_API.md §3)', () => {
  it('is a detached id-data SignedData, SHA-256, one signer, signer + intermediate embedded (not the root)', async () => {
    const signer = pki.identity('org-signer');
    const cms = decodeSignedData(await signDetached(document, signer), 'BAD_SIGNATURE');
    expect(cms.eContentType).toBe(OID_DATA);
    expect(cms.eContent).toBeUndefined();
    expect(cms.signedData.version).toBe(1);
    expect(cms.signedData.digestAlgorithms.map((alg) => alg.algorithmId)).toEqual([OID_SHA256]);
    expect(cms.signedData.signerInfos).toHaveLength(1);
    expect(cms.certificates.map(subjectOf)).toEqual([subjectOf(signer.certificate), subjectOf(pki.certificate('intermediate-ca'))]);
    expect(cms.crls).toEqual([]);
  });

  it('uses RSASSA-PSS with SHA-256, MGF1-SHA-256 and salt 32 for RSA keys', async () => {
    const cms = decodeSignedData(await signDetached(document, pki.identity('org-signer')), 'BAD_SIGNATURE');
    const algorithm = cms.signerInfo.signatureAlgorithm;
    expect(algorithm.algorithmId).toBe(OID_RSASSA_PSS);
    const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
    expect(params.hashAlgorithm.algorithmId).toBe(OID_SHA256);
    expect(new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId).toBe(OID_SHA256);
    expect(params.saltLength).toBe(32);
  });

  it('uses ecdsa-with-SHA256 for EC keys', async () => {
    const cms = decodeSignedData(await signDetached(document, pki.identity('head-ec')), 'BAD_SIGNATURE');
    expect(cms.signerInfo.signatureAlgorithm.algorithmId).toBe(OID_ECDSA_SHA256);
  });

  it('carries exactly the CAdES-BES signed attributes, in DER order, and no unsigned ones', async () => {
    const cms = decodeSignedData(await signDetached(document, pki.identity('head-rsa')), 'BAD_SIGNATURE');
    const attributes = cms.signerInfo.signedAttrs?.attributes ?? [];
    expect(attributes.map((attribute) => attribute.type).sort()).toEqual(
      [OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SIGNING_TIME, OID_ATTR_SIGNING_CERTIFICATE_V2].sort(),
    );
    const encoded = attributes.map((attribute) => Buffer.from(attribute.toSchema().toBER(false)));
    expect([...encoded].sort(Buffer.compare)).toEqual(encoded);
    expect(cms.signerInfo.unsignedAttrs).toBeUndefined();
    const values = readSignedAttributes(cms.signerInfo.signedAttrs as pkijs.SignedAndUnsignedAttributes, 'BAD_SIGNATURE');
    expect(values.contentType).toBe(OID_DATA);
    expect(toHex(values.messageDigest as Uint8Array)).toBe(toHex(digestBytes('SHA-256', document)));
  });

  it('binds the signer certificate with ESSCertIDv2: SHA-256 hash (default algorithm omitted) and issuerSerial', async () => {
    const signer = pki.identity('head-ec');
    const cms = decodeSignedData(await signDetached(document, signer), 'BAD_SIGNATURE');
    const attribute = cms.signerInfo.signedAttrs?.attributes.find((item) => item.type === OID_ATTR_SIGNING_CERTIFICATE_V2);
    const certId = (((attribute?.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence);
    expect(certId.valueBlock.value[0]).toBeInstanceOf(asn1js.OctetString); // no hashAlgorithm: DEFAULT sha256
    const [id] = decodeSigningCertificate(attribute?.values[0], 2) ?? [];
    expect(id?.hash).toBe('SHA-256');
    expect(toHex(id?.certHash ?? new Uint8Array())).toBe(toHex(certificateSha256(signer.certificate)));
    expect(id?.issuerSerial?.serialNumber).toBe(serialNumberHex(signer.certificate));
    expect(id && essCertIdMatches(id, signer.certificate)).toBe(true);
    expect(id && essCertIdMatches(id, pki.certificate('deputy'))).toBe(false);
  });
});

describe('build/parse pairs round-trip', () => {
  it('signingCertificateV2', () => {
    const cert = pki.certificate('org-signer');
    const encoded = encodeSigningCertificateV2(cert);
    const decoded = decodeSigningCertificate(asn1js.fromBER(encoded.toBER(false)).result, 2);
    expect(decoded).toHaveLength(1);
    expect(decoded?.[0] && essCertIdMatches(decoded[0], cert)).toBe(true);
  });

  it('signed attributes: DER → attributes → the same DER', async () => {
    const cms = decodeSignedData(await signDetached(document, pki.identity('org-signer')), 'BAD_SIGNATURE');
    const der = new Uint8Array(cms.signerInfo.signedAttrs?.encodedValue ?? new ArrayBuffer(0));
    expect(bytesEqual(signedAttributesDer(decodeSignedAttributesDer(der, 'BAD_SIGNATURE')), der)).toBe(true);
  });
});
