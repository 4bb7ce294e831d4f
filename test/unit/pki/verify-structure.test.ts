// The verifier's structural and cryptographic checks: each bad input gets its own stable code.
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../../../src/errors.ts';
import { encodeDer } from '../../../src/pki/der.ts';
import {
  OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SIGNING_CERTIFICATE_V2, OID_ATTR_SIGNING_TIME, OID_TST_INFO,
} from '../../../src/pki/oids.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { verifyDetached, type VerifyOptions } from '../../../src/pki/verify-cms.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { craftCms, flipByte, mutateSignedData, replaceAttribute, withoutAttribute } from './craft-cms.ts';

let pki: TestPki;
let options: VerifyOptions;
const data = new TextEncoder().encode('Hồ sơ cán bộ, công chức, viên chức');

beforeAll(async () => {
  pki = await getTestPki();
  options = { trustAnchors: pki.trustAnchors, crls: pki.crls };
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode, reason?: string): Promise<void> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error, `expected ${code}`).toMatchObject({ code });
  if (reason) expect((error as { details?: { reason?: string } }).details?.reason).toBe(reason);
}

describe('structure → BAD_SIGNATURE', () => {
  it.each([
    ['empty input', () => new Uint8Array()],
    ['random bytes', () => new Uint8Array(randomBytes(300))],
    ['text instead of DER', () => new TextEncoder().encode('-----BEGIN PKCS7-----')],
    ['a certificate instead of a CMS', () => encodeDer(pki.certificate('head-ec'))],
  ])('%s', async (_name, make) => {
    await expectCode(verifyDetached(data, make(), options), 'BAD_SIGNATURE');
  });

  it('truncated DER', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, cms.subarray(0, cms.length - 10), options), 'BAD_SIGNATURE', 'malformed');
  });

  it('garbage after the DER', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'));
    await expectCode(verifyDetached(data, Buffer.concat([cms, Buffer.from([0, 0, 1])]), options), 'BAD_SIGNATURE', 'trailing-bytes');
  });

  it('two signers', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), { twoSigners: true });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signer-count');
  });

  it('no signer', async () => {
    const cms = mutateSignedData(await signDetached(data, pki.identity('head-ec')), (sd) => { sd.signerInfos = []; });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE');
  });

  it('content encapsulated instead of detached', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), { attach: true });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'not-detached');
  });

  it('signer certificate not embedded', async () => {
    const signer = pki.identity('head-ec');
    const cms = await craftCms(data, signer, { certificates: signer.chain });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signer-certificate-missing');
  });
});

describe('required signed attributes → BAD_SIGNATURE', () => {
  it.each([
    ['contentType', OID_ATTR_CONTENT_TYPE],
    ['signingTime', OID_ATTR_SIGNING_TIME],
    ['signingCertificateV2', OID_ATTR_SIGNING_CERTIFICATE_V2],
    ['messageDigest', OID_ATTR_MESSAGE_DIGEST],
  ])('missing %s', async (name, oid) => {
    const cms = await craftCms(data, pki.identity('head-ec'), { attributes: withoutAttribute(oid) });
    const error = await verifyDetached(data, cms, options).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'BAD_SIGNATURE', details: { reason: 'signed-attribute-missing', missing: [name] } });
  });

  it('contentType other than id-data', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), {
      attributes: replaceAttribute(OID_ATTR_CONTENT_TYPE, new asn1js.ObjectIdentifier({ value: OID_TST_INFO })),
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'content-type-attribute-mismatch');
  });

  it('an attribute present twice', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), {
      attributes: (list) => [...list, new pkijs.Attribute({ type: OID_ATTR_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: new Date() })] })],
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'attribute-not-single');
  });

  it('signingTime that is not a time', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), {
      attributes: replaceAttribute(OID_ATTR_SIGNING_TIME, new asn1js.Utf8String({ value: 'hôm nay' })),
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'attribute-malformed');
  });
});

describe('digest and signature', () => {
  it('changed content → DIGEST_MISMATCH', async () => {
    const cms = await signDetached(data, pki.identity('org-signer'));
    await expectCode(verifyDetached(flipByte(data, 3), cms, options), 'DIGEST_MISMATCH');
    await expectCode(verifyDetached(new Uint8Array([...data, 0x20]), cms, options), 'DIGEST_MISMATCH');
  });

  it.each(['org-signer', 'head-ec'] as const)('changed signature value (%s) → BAD_SIGNATURE', async (entity) => {
    const cms = mutateSignedData(await signDetached(data, pki.identity(entity)), (sd) => {
      const info = sd.signerInfos[0] as pkijs.SignerInfo;
      const value = info.signature.valueBlock.valueHexView.slice();
      value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 0x01;
      info.signature = new asn1js.OctetString({ valueHex: value.buffer });
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE');
  });

  it('a signed attribute changed after signing (signingTime moved) → BAD_SIGNATURE', async () => {
    const cms = mutateSignedData(await signDetached(data, pki.identity('head-ec')), (sd) => {
      const info = sd.signerInfos[0] as pkijs.SignerInfo;
      const attrs = info.signedAttrs as pkijs.SignedAndUnsignedAttributes;
      const time = attrs.attributes.find((attribute) => attribute.type === OID_ATTR_SIGNING_TIME) as pkijs.Attribute;
      time.values = [new asn1js.UTCTime({ valueDate: new Date(Date.now() - 86_400_000) })];
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signature-invalid');
  });

  it('the signature made by another key than the embedded certificate’s → BAD_SIGNATURE', async () => {
    const impostor = { ...pki.identity('deputy'), certificate: pki.certificate('head-ec') };
    const cms = await craftCms(data, impostor);
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signature-invalid');
  });

  it('signingCertificateV2 naming another certificate → BAD_SIGNATURE', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), { essCertificate: pki.certificate('deputy') });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signing-certificate-mismatch');
  });

  it('SHA-1 (or any digest we do not accept) → BAD_SIGNATURE', async () => {
    const cms = mutateSignedData(await signDetached(data, pki.identity('head-ec')), (sd) => {
      (sd.signerInfos[0] as pkijs.SignerInfo).digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.3.14.3.2.26' });
    });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'digest-algorithm-not-accepted');
  });

  it('a signing time in the future → BAD_SIGNATURE', async () => {
    const cms = await signDetached(data, pki.identity('head-ec'), { signingTime: new Date(Date.now() + 3_600_000) });
    await expectCode(verifyDetached(data, cms, options), 'BAD_SIGNATURE', 'signing-time-in-future');
    await expect(verifyDetached(data, cms, { ...options, now: new Date(Date.now() + 7_200_000) })).resolves.toBeDefined();
  });

  it('accepts SHA-384 signatures (SHA-256 "or stronger")', async () => {
    const cms = await craftCms(data, pki.identity('head-ec'), { digest: 'SHA-384' });
    await expect(verifyDetached(data, cms, options)).resolves.toMatchObject({ algorithm: { scheme: 'ECDSA', hash: 'SHA-384' } });
  });
});
